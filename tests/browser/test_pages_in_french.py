"""In Chromium: a French-speaking learner's browser and pages in French, axe-checked: the login
page (from the browser's language), the dashboard's Alerts and Tasks blocks and an item's menu,
a live alert announced in French, the notification centre and the preferences page, where
choosing English turns the pages English."""

import re

import pytest
from playwright.sync_api import expect

from accounts.factories import UserFactory
from notifications import send
from notifications.factories import context_for

from .conftest import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def french_page(browser, asgi_server):
    context = browser.new_context(base_url=asgi_server.url, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_a_french_learner_walks_the_pages_in_french(french_page, asgi_server):
    page = french_page
    camille = UserFactory(
        username="camille", full_name="Camille Martin", language="fr", timezone="Europe/Paris"
    )
    send(
        "programs.extension_request",
        [camille],
        context=context_for("programs.extension_request", program="Sécurité"),
    )

    # The browser asks for French: the login page is in French before anyone logs in.
    page.goto("/login/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")
    assert_accessible(page, "login page in French")
    page.get_by_label("Nom d'utilisateur").fill("camille")
    page.get_by_label("Mot de passe").fill("password")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord")
    expect(page.locator("body[data-live=on]")).to_have_count(1)
    alerts, tasks = page.locator("#block-alerts"), page.locator("#block-tasks")
    expect(alerts.get_by_role("heading", level=2)).to_contain_text("Alertes")
    expect(alerts).to_contain_text("Vous n'avez aucune nouvelle alerte.")
    expect(tasks.get_by_role("heading", level=2)).to_contain_text("Tâches")
    expect(tasks).to_contain_text("Sécurité")
    expect(tasks.locator("time")).to_have_text(re.compile(r"maintenant|il y a"))
    assert_accessible(page, "dashboard in French")

    # An item's menu, in French.
    tasks.locator("summary", has_text="Plus").click()
    expect(tasks.get_by_role("button", name="Pendant une heure")).to_be_visible()
    expect(tasks.get_by_role("button", name="Archiver")).to_be_visible()
    assert_accessible(page, "dashboard with a menu open, in French")

    # A live alert: in the block and said in French by the live region.
    asgi_server.run_as_request(
        send, "programs.due", [camille], context=context_for("programs.due", program="Incendie")
    )
    expect(alerts).to_contain_text("Incendie")
    expect(page.locator("#live-announcer")).to_have_text(
        re.compile(r"^Nouvelle alerte : .*Incendie")
    )
    expect(alerts.get_by_role("button", name=re.compile("^Ignorer : "))).to_be_visible()

    page.goto("/alerts/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Alertes")
    expect(page.get_by_role("navigation", name="Dossiers")).to_contain_text("Boîte de réception")
    expect(page.get_by_role("button", name="Ignorer la sélection")).to_be_visible()
    expect(page.locator("tbody time").first).to_have_attribute(
        "title", re.compile(r"\d{4} \d\d:\d\d")
    )
    assert_accessible(page, "alerts page in French")

    page.goto("/preferences/messaging/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Préférences de messagerie")
    expect(page.get_by_label("Langue", exact=True)).to_have_value("fr")
    expect(page.get_by_label("Fuseau horaire", exact=True)).to_have_value("Europe/Paris")
    assert_accessible(page, "preferences page in French")

    # Choosing English: the pages follow at once, whatever the browser asks for.
    page.get_by_label("Langue", exact=True).select_option("en")
    page.get_by_role("button", name="Enregistrer la langue et le fuseau horaire").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Messaging preferences")
    expect(page.get_by_role("status")).to_contain_text("Your language and time zone are saved.")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    camille.refresh_from_db()
    assert camille.language == "en"
