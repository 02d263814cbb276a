"""The dashboard in a real browser: what a person sees and does, against a real emulator whose
world is changed through the official SDKs."""

from __future__ import annotations

import json

from playwright.sync_api import expect

import replication_helpers as rh
import sdk_clients as sc


def ebs(server):
    return rh.replica_api("ebs-classic", server)


def pair_row(page, pair_id):
    return page.locator(f"#pairs .pair[data-key$='/{pair_id}']")


def advance_from_page(page, label):
    page.get_by_role("tab", name="Controls").click()
    page.get_by_role("button", name=label, exact=True).click()


def test_page_is_served_from_the_binary_with_a_strict_policy(dash):
    page = dash.open()
    expect(page).to_have_title("ecs-emulator dashboard")
    res = page.request.get(f"{dash.base}/_emulator/ui/")
    assert res.status == 200
    assert "frame-ancestors 'none'" in res.headers["content-security-policy"]
    assert res.headers["x-frame-options"] == "DENY"
    expect(page.locator("#conn")).to_have_text("live")
    expect(page.locator("#clock-mode")).to_have_text("paused")
    dash.shot("overview-empty")


def test_a_pair_created_through_the_sdk_appears_and_reaches_normal_from_the_page(dash, server):
    page = dash.open("replication")
    api = ebs(server)
    src, dst = rh.disk_pair(api)
    server.advance(rh.DISK_CREATING)
    pair_id = api.create_pair(src, dst, name="orders-db", RPO=900)
    row = pair_row(page, pair_id)
    expect(row).to_be_visible()
    expect(row.locator(".st").first).to_have_text("creating")
    expect(row).to_contain_text(src)
    expect(row).to_contain_text(dst)
    expect(row).to_contain_text("orders-db")
    # The map shows both regions and one arrow between them.
    expect(page.locator("#map").get_by_text(rh.SRC_REGION, exact=True)).to_be_visible()
    expect(page.locator("#map").get_by_text(rh.DST_REGION, exact=True)).to_be_visible()
    expect(page.locator("#map path.link")).to_have_count(1)

    advance_from_page(page, "+1 min")
    page.get_by_role("tab", name="Replication").click()
    expect(row.locator(".st").first).to_have_text("created")
    row.get_by_role("button", name=f"Start pair {pair_id}").click()
    expect(row.locator(".st").first).to_have_text("initial_syncing")
    expect(row.locator(".meter.copy")).to_be_visible()
    advance_from_page(page, "+1 s")
    page.get_by_role("tab", name="Replication").click()
    expect(row.locator("[role=progressbar]")).to_have_attribute("aria-valuenow", "20")
    dash.shot("replication-copy")
    advance_from_page(page, "+1 min")
    page.get_by_role("tab", name="Replication").click()
    expect(row.locator(".st").first).to_have_text("normal")
    expect(row.locator(".arrow")).to_have_attribute("data-direction", "forward")
    expect(row.locator(".arrow")).to_have_class("arrow fwd a-normal")
    expect(row.locator(".age")).to_contain_text("recovery point")
    assert api.pair_status(pair_id) == "normal"


def test_failover_and_reprotect_from_the_page_reverse_the_arrow_and_are_logged_as_dashboard_calls(dash, server):
    api = ebs(server)
    src, dst = rh.disk_pair(api)
    server.advance(rh.DISK_CREATING)
    pair_id = api.create_pair(src, dst, name="web")
    server.advance(60)
    api.start_pair(pair_id)
    server.advance(600)
    assert api.pair_status(pair_id) == "normal"
    page = dash.open("replication")
    row = pair_row(page, pair_id)
    expect(row.locator(".st").first).to_have_text("normal")
    expect(row.locator(".site.serving")).to_contain_text(src)

    row.get_by_role("button", name=f"Fail over pair {pair_id}").click()
    expect(row.locator(".st").first).to_have_text("failovering")
    advance_from_page(page, "+1 min")
    page.get_by_role("tab", name="Replication").click()
    expect(row.locator(".st").first).to_have_text("failovered")
    # The destination disk is the one written to now.
    expect(row.locator(".site.serving")).to_contain_text(dst)
    expect(row.locator(".arrow")).to_have_class("arrow fwd a-fo")

    row.get_by_role("button", name=f"Reprotect pair {pair_id}").click()
    advance_from_page(page, "+1 min")
    page.get_by_role("tab", name="Replication").click()
    expect(row.locator(".arrow")).to_have_attribute("data-direction", "reverse")
    expect(row.locator(".arrow.rev")).to_be_visible()
    dash.shot("replication-reversed")
    pair = api.pair(pair_id, region=rh.DST_REGION)
    assert pair["SourceDiskId"] == dst and pair["DestinationDiskId"] == src

    # The request log marks both as the dashboard's.
    page.get_by_role("tab", name="Calls").click()
    for action in ("FailoverDiskReplicaPair", "ReprotectDiskReplicaPair"):
        entry = page.locator("#calls-body tr.entry", has_text=action)
        expect(entry).to_have_count(1)
        expect(entry.locator(".tag.dash")).to_have_text("dashboard")
    log = json.loads(server.control("/_emulator/requests?action=FailoverDiskReplicaPair", method="GET").body)
    (entry,) = log["requests"]
    assert entry["source"] == "dashboard" and entry["status"] == 200
    assert entry["params"] == {"RegionId": rh.DST_REGION, "ReplicaPairId": pair_id}


def test_an_action_the_cloud_refuses_shows_its_error(dash, server):
    api = ebs(server)
    src, dst = rh.disk_pair(api)
    server.advance(rh.DISK_CREATING)
    pair_id = api.create_pair(src, dst)
    page = dash.open("replication")
    row = pair_row(page, pair_id)
    expect(row.locator(".st").first).to_have_text("creating")
    row.get_by_role("button", name=f"Reprotect pair {pair_id}").click()
    expect(page.locator("#toast")).to_contain_text("OperationDenied.InvalidStatus")
    expect(row.locator(".st").first).to_have_text("creating")


def test_a_fault_added_from_the_page_marks_the_call_in_the_log(dash, server):
    page = dash.open("controls")
    form = page.locator("#fault-form")
    form.get_by_label("Action", exact=True).fill("DescribeDisks")
    form.get_by_label("Error code").fill("Forbidden.Dashboard")
    form.get_by_label("HTTP status").fill("403")
    form.get_by_label("Count", exact=True).fill("1")
    form.get_by_role("button", name="Add rule").click()
    rules = page.locator("#ctl-faults tbody tr")
    expect(rules).to_have_count(1)
    expect(rules).to_contain_text("action=DescribeDisks")

    ecs = sc.ecs_api("classic", server)
    err = sc.expect_error(lambda: ecs.describe_disks())
    assert err.code == "Forbidden.Dashboard"
    ecs.describe_disks()  # the rule fired once

    page.get_by_role("tab", name="Calls").click()
    page.locator("#lf-action").fill("DescribeDisks")
    entries = page.locator("#calls-body tr.entry")
    expect(entries).to_have_count(2)
    faulted = page.locator("#calls-body tr.entry.faulted")
    expect(faulted).to_have_count(1)
    expect(faulted.locator(".tag.fault")).to_have_text("faulted")
    expect(faulted).to_contain_text("403 Forbidden.Dashboard")
    faulted.click()
    detail = page.locator("#calls-body tr.detail")
    expect(detail).to_contain_text("answered by a fault rule")
    expect(detail).to_contain_text('"Action": "DescribeDisks"')
    expect(detail).not_to_contain_text("Signature\"")
    page.locator("#lf-status").select_option("faulted")
    expect(entries).to_have_count(1)
    dash.shot("calls-faulted")

    page.get_by_role("tab", name="Controls").click()
    expect(rules).to_contain_text("1")  # fired once
    page.get_by_role("button", name="Remove all rules").click()
    expect(page.locator("#ctl-faults")).to_contain_text("No fault rules")
