"""Periodic reporting: reporting periods (month or quarter) with eight socio-economic
indicators, filled from the tenant's own data, validated, submitted, locked, and kept in the
history.
"""
