from stockdesk.app import Session, database_target, start_simulator
from stockdesk.ui.translations import Translations


def test_an_explicit_database_is_used_as_given():
    assert database_target("sqlite:///x.db", demo=True) == "sqlite:///x.db"
    assert database_target("/tmp/a.db", demo=False) == "/tmp/a.db"


def test_demo_simulator_starts_on_loopback_and_stops_with_the_session(qapp, settings):
    session = Session(settings, Translations())
    address = start_simulator(session)
    host, port = address.split(":")
    assert host == "127.0.0.1" and int(port) > 0
    session.close()
    assert session.servers == []
