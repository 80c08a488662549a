"""The pages, their flash messages and the API's errors in the user's language (accounts.User
.language, set on the preferences page), Accept-Language for visitors, and times in the user's
time zone and locale ("il y a 5 minutes", the full date in the title)."""

from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
import time_machine

from accounts.factories import UserFactory
from notifications import presence, send
from notifications.factories import context_for

ALERT = "programs.due"
TASK = "programs.extension_request"
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # 10:00 in Paris (UTC+1 before 29 March)


def page(client, url, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200, url
    return unescape(response.content.decode())


@pytest.fixture
def camille(db):
    """A French-speaking learner in Paris with an alert and a task from 5 minutes ago."""
    user = UserFactory(
        username="camille", full_name="Camille Martin", language="fr", timezone="Europe/Paris"
    )
    with time_machine.travel(NOW - timedelta(minutes=5), tick=False):
        presence.touch(user.pk)  # logged in: the web output's default for these types
        send(ALERT, [user], context=context_for(ALERT), url="/programs/1/")
        send(TASK, [user], context=context_for(TASK))
    return user


@pytest.fixture
def in_french(client, camille):
    client.force_login(camille)
    with time_machine.travel(NOW, tick=False):
        yield client


def absent(text: str, *english: str) -> None:
    left = [e for e in english if e in text]
    assert left == [], f"English left on a French page: {left}"


def test_the_dashboard_is_in_french_with_relative_times(in_french):
    text = page(in_french, "/")
    assert '<html lang="fr">' in text
    for french in ("Tableau de bord", "Alertes", "Tâches", "Tout voir", "Pourquoi ?", "Ignorer"):
        assert french in text, french
    assert "Tout ignorer" in text and "Se déconnecter" in text and "Aller au contenu" in text
    assert "il y a 5\xa0minutes" in text or "il y a 5 minutes" in text
    # The full local date (Paris, French format) in the title, the moment in datetime.
    assert 'title="10 mars 2026 09:55"' in text
    assert 'datetime="2026-03-10T09:55:00+01:00"' in text
    assert 'data-new-alert="Nouvelle alerte : {subject}"' in text
    absent(text, "Dashboard", "View all", "Why?", "Dismiss all", "Log out", "Skip to content")


def test_the_alerts_page_is_in_french(in_french):
    text = page(in_french, "/alerts/")
    for french in (
        "Boîte de réception",
        "Reportés",
        "Ignorer la sélection",
        "Reporter la sélection",
    ):
        assert french in text, french
    assert "Non lues seulement" in text and "Reçue" in text and "Filtrer" in text
    absent(text, "Dismiss selected", "Snooze selected", "Unread only", "Received", "Inbox")


def test_the_tasks_page_is_in_french(in_french):
    text = page(in_french, "/tasks/")
    assert "<h1>Tâches</h1>" in text and "Ouvertes seulement" in text and "Archiver" in text
    assert "il y a 5" in text
    absent(text, "Open only", "Archive<", "More actions", "Why did I get this")


def test_the_messages_page_is_in_french(in_french, camille):
    text = page(in_french, "/messages/")
    assert "Rechercher" in text and "Ouvrir mes notes" in text and "Favoris" in text
    absent(text, "Open my notes", "Search conversations", "Contacts and privacy")


def test_conversations_and_messages_say_how_long_ago_in_french(in_french, camille):
    from instant import actions

    conversation, _created = actions.start_conversation(camille, [])
    with time_machine.travel(NOW - timedelta(minutes=5), tick=False):
        actions.send_message(camille, conversation.pk, "Bonjour")
    for url in ("/", "/messages/", f"/messages/{conversation.pk}/"):
        text = page(in_french, url)
        assert "Mes notes" in text and "il y a 5" in text, url
        assert 'title="10 mars 2026 09:55"' in text, url
    absent(text, "My notes", "Delete for me", "Send<")


def test_the_preferences_page_is_in_french(in_french):
    text = page(in_french, "/preferences/messaging/")
    for french in (
        "Préférences de messagerie",
        "Langue et fuseau horaire",
        "Heures calmes",
        "Enregistrer les préférences",
        "Connecté",
        "Déconnecté",
    ):
        assert french in text, french
    # The message types, their descriptions and features in French too.
    assert "Échéance de programme" in text and "Gestion des programmes" in text
    assert "Envoyé un nombre de jours donné avant l'échéance du programme." in text
    assert '<option value="fr" lang="fr" selected>Français</option>' in text
    assert "<option selected>Europe/Paris</option>" in text
    absent(text, "Save preferences", "Logged in", "Logged off", "Language and time zone")
    absent(text, "Program due", "Program management")


def test_the_why_page_is_in_french(in_french, camille):
    from alerts.models import Alert

    event_id = Alert.objects.get(recipient=camille, key=ALERT).event_id
    text = page(in_french, f"/why/{event_id}/")
    assert "<h1>Pourquoi ai-je reçu ceci ?</h1>" in text
    assert "Échéance de programme (Gestion des programmes)" in text
    assert "Comment il vous est parvenu" in text and "Notifications (web)" in text
    assert "10 mars 2026 09:55" in text
    absent(text, "How it reached you", "Who gets it", "Program due", "You chose")


def test_the_login_page_follows_accept_language(client, db):
    text = page(client, "/login/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,en;q=0.5")
    assert '<html lang="fr">' in text
    assert "<h1>Se connecter</h1>" in text and "Nom d'utilisateur" in text
    assert "Mot de passe" in text
    text = page(client, "/login/", HTTP_ACCEPT_LANGUAGE="de")
    assert "<h1>Anmelden</h1>" in text and "Passwort" in text
    assert "<h1>Log in</h1>" in page(client, "/login/")


def test_a_users_own_language_wins_over_the_browsers(client, db):
    client.force_login(UserFactory(language="de"))
    text = page(client, "/", HTTP_ACCEPT_LANGUAGE="fr")
    assert '<html lang="de">' in text and "Meldungen" in text and "Abmelden" in text
    absent(text, "Alertes", "Se déconnecter")


def test_flash_messages_are_in_the_users_language(in_french, camille):
    response = in_french.post("/alerts/read", {"all": "1"}, follow=True)
    assert "1 alerte ignorée." in unescape(response.content.decode())
    response = in_french.post("/alerts/read", {}, follow=True)
    assert "Choisissez les alertes à ignorer." in unescape(response.content.decode())


def test_api_errors_are_in_the_users_language(in_french):
    response = in_french.get("/api/alerts/?box=nowhere")
    assert response.status_code == 400
    assert response.json() == {"box": ["Utilisez l'une de ces valeurs : inbox, snoozed, archived."]}
    response = in_french.patch(
        "/api/preferences/language/", {"language": "xx"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {"errors": {"language": "Choisissez parmi : en, fr, de, es."}}
    # DRF's own messages follow too.
    response = in_french.patch(
        "/api/preferences/quiet-hours/", {"start": "25:00"}, content_type="application/json"
    )
    assert response.json()["errors"]["start"].startswith("Doit être une heure")


def test_the_language_form_saves_the_language_and_time_zone(in_french, camille):
    response = in_french.post(
        "/preferences/messaging/language/",
        {"language": "de", "timezone": "Europe/Berlin"},
        follow=True,
    )
    camille.refresh_from_db()
    assert (camille.language, camille.timezone) == ("de", "Europe/Berlin")
    text = unescape(response.content.decode())
    assert "Ihre Sprache und Zeitzone sind gespeichert." in text
    assert "<h1>Benachrichtigungseinstellungen</h1>" in text


def test_the_language_form_refuses_bad_input_and_changes_nothing(in_french, camille):
    response = in_french.post(
        "/preferences/messaging/language/", {"language": "xx", "timezone": "Mars/Olympus"}
    )
    assert response.status_code == 400
    text = unescape(response.content.decode())
    assert "Votre langue et votre fuseau horaire n'ont pas été enregistrés :" in text
    assert "Langue : Choisissez parmi : en, fr, de, es." in text
    assert "Fuseau horaire : Fuseau horaire inconnu" in text
    assert 'aria-invalid="true" aria-describedby="profile-language-error"' in text
    camille.refresh_from_db()
    assert (camille.language, camille.timezone) == ("fr", "Europe/Paris")


def test_the_api_reads_and_changes_the_language(in_french, camille):
    assert in_french.get("/api/preferences/language/").json() == {
        "language": "fr",
        "timezone": "Europe/Paris",
    }
    response = in_french.patch(
        "/api/preferences/language/", {"language": "es"}, content_type="application/json"
    )
    assert response.json() == {"language": "es", "timezone": "Europe/Paris"}
    response = in_french.patch(
        "/api/preferences/language/", {"timezone": "Nowhere"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "errors": {"timezone": "Zona horaria desconocida: use un nombre como Europe/Madrid."}
    }
    camille.refresh_from_db()
    assert (camille.language, camille.timezone) == ("es", "Europe/Paris")


def test_a_token_clients_errors_are_in_its_users_language(camille):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=camille).key}")
    response = api.get("/api/alerts/?box=nowhere", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json() == {"box": ["Utilisez l'une de ces valeurs : inbox, snoozed, archived."]}


def test_the_preferences_are_in_the_order_of_the_users_words(in_french):
    # Filed as a French reader looks them up, without case or accents: "Désinscription d'un
    # programme" before "Échéance de programme" (in English "Program unenrolment" comes after
    # "Program due"), on the page and in the API.
    text = page(in_french, "/preferences/messaging/")
    assert text.index("Désinscription d'un programme") < text.index("Échéance de programme")
    keys = list(dict.fromkeys(row["key"] for row in in_french.get("/api/preferences/").json()))
    assert keys.index("programs.unenrolment") < keys.index("programs.due")
