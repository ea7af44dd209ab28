"""JupyterHub single sign-on for the academy's Flask services (``service_auth.hub_login``).

Any service behind the hub (the sandbox e-office today, later ones alike) imports this,
and nothing of the control plane.
"""
