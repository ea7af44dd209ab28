from common.event_loop import run_coroutine
from hub_config.authenticator import AcademyAuthenticator
from people.passwords import hash_password, new_password, save_hashes, verify_password


def test_new_passwords_are_random_and_long_enough():
    passwords = {new_password() for _ in range(50)}
    assert len(passwords) == 50
    assert all(len(p) == 19 for p in passwords)


def test_hash_round_trip_and_wrong_password():
    stored = hash_password("right-pass")
    assert stored.startswith("scrypt$")
    assert verify_password("right-pass", stored)
    assert not verify_password("wrong-pass", stored)
    assert not verify_password("right-pass", "garbage")


def test_authenticator_accepts_only_the_right_password(tmp_path):
    hashes = tmp_path / "hashes.json"
    save_hashes(hashes, {"learner1": hash_password("s3cret")})
    assert oct(hashes.stat().st_mode & 0o777) == "0o600"
    auth = AcademyAuthenticator(password_hashes_file=str(hashes))

    def login(username, password):
        data = {"username": username, "password": password}
        return run_coroutine(auth.authenticate(None, data))

    assert login("learner1", "s3cret") == "learner1"
    assert login("learner1", "wrong") is None
    assert login("nobody", "s3cret") is None
    assert login("learner1", "") is None
