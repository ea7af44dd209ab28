# Single sign-on through the province's portal with OpenID Connect (GenericOAuthenticator).
#
# Copy to <data>/secrets/jupyterhub_site_config.py, fill in the ACADEMY_OIDC_* values (or
# edit them here) and restart `academy up`. Register the academy at the portal as a
# confidential client with the redirect URI <public url>/hub/oauth_callback; put the client
# secret in <data>/secrets/oidc_client_secret (mode 0600). See docs/accounts.md.
import os

from hub_config.sso import groups_from_roster, username_from_claim
from installation.settings import HubSettings

c = get_config()  # noqa: F821
s = HubSettings.from_env()
issuer = os.environ.get("ACADEMY_OIDC_ISSUER", "https://sso.example-province.gov.vn/realms/can-bo")
public_url = os.environ.get("ACADEMY_PUBLIC_URL", s.ports.public_url)
employee_id_claim = os.environ.get("ACADEMY_OIDC_EMPLOYEE_ID_CLAIM", "employee_id")

c.JupyterHub.authenticator_class = "generic-oauth"
c.GenericOAuthenticator.login_service = "Cổng dịch vụ công tỉnh / Province portal"
c.GenericOAuthenticator.client_id = os.environ.get("ACADEMY_OIDC_CLIENT_ID", "hoc-vien-cong-vu-so")
c.GenericOAuthenticator.client_secret = (
    s.secret("oidc_client_secret") if s.layout.secret_file("oidc_client_secret").exists() else ""
)
c.GenericOAuthenticator.oauth_callback_url = f"{public_url}/hub/oauth_callback"
# the portal's endpoints (Keycloak's paths shown; take yours from
# <issuer>/.well-known/openid-configuration)
c.GenericOAuthenticator.authorize_url = f"{issuer}/protocol/openid-connect/auth"
c.GenericOAuthenticator.token_url = f"{issuer}/protocol/openid-connect/token"
c.GenericOAuthenticator.userdata_url = f"{issuer}/protocol/openid-connect/userinfo"
c.GenericOAuthenticator.scope = ["openid", "profile", "email"]
# claims -> the roster's username: the person with the employee id the portal sends
c.GenericOAuthenticator.username_claim = username_from_claim(
    s.layout.roster_file, employee_id_claim
)
# claims -> hub groups: the roster's (role, course enrolment) plus the portal's academy-* ones
c.GenericOAuthenticator.manage_groups = True
c.GenericOAuthenticator.auth_state_groups_key = groups_from_roster(
    s.layout.roster_file, s.install.course_ids, employee_id_claim
)
c.GenericOAuthenticator.admin_groups = {"academy-admins"}
# who may log in: the roster's people (c.Authenticator.allowed_users, set by the academy)
c.GenericOAuthenticator.allow_existing_users = False
c.GenericOAuthenticator.enable_auth_state = False
