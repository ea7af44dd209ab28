"""What the academy's Flask services share: JupyterHub single sign-on
(``service_auth.hub_login``) and the platform's languages (``service_auth.languages``).

Any service behind the hub (the sandbox e-office, the dashboards) imports this, and nothing
of the control plane.
"""
