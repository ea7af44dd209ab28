"""The one-stop dossier desk (iGate-style): citizens' administrative-procedure dossiers
received online or at the counter, processed within their legal deadline in working days,
the simulated national population database with its purpose-logged lookups, and the desk's
indicators.
"""
