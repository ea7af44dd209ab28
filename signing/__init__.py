"""Keys, certificates and PDF signatures (pyhanko).

- ``signing.pki``: the installation's own signing PKI (root CA and the completion-
  certificate signer), created by `academy init`. The sandbox training PKI and PDF
  signing/verification land here too.
"""
