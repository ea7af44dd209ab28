# Login against the province's directory with LDAP (jupyterhub-ldapauthenticator).
#
# Copy to <data>/secrets/jupyterhub_site_config.py, fill in the ACADEMY_LDAP_* values (or
# edit them here) and restart `academy up`. The directory's uid must be the roster's
# username (the one `academy roster import` made from the employee id), or set
# user_attribute to an attribute that holds it. See docs/accounts.md.
import os

from installation.settings import HubSettings

c = get_config()  # noqa: F821
s = HubSettings.from_env()

c.JupyterHub.authenticator_class = "ldap"
c.LDAPAuthenticator.server_address = os.environ.get(
    "ACADEMY_LDAP_SERVER", "ldap.example-province.gov.vn")
c.LDAPAuthenticator.server_port = 636
c.LDAPAuthenticator.use_ssl = True
c.LDAPAuthenticator.lookup_dn = True
c.LDAPAuthenticator.user_search_base = os.environ.get(
    "ACADEMY_LDAP_USER_BASE", "ou=can-bo,dc=example-province,dc=gov,dc=vn")
c.LDAPAuthenticator.user_attribute = "uid"
c.LDAPAuthenticator.lookup_dn_search_user = os.environ.get(
    "ACADEMY_LDAP_BIND_DN", "cn=hoc-vien,ou=services,dc=example-province,dc=gov,dc=vn")
c.LDAPAuthenticator.lookup_dn_search_password = (
    s.secret("ldap_bind_password") if s.layout.secret_file("ldap_bind_password").exists() else ""
)
c.LDAPAuthenticator.lookup_dn_user_dn_attribute = "cn"
c.LDAPAuthenticator.escape_userdn = True
# who may log in stays the roster (c.Authenticator.allowed_users, set by the academy)
