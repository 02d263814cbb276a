"""The dashboard in a real browser: what a person sees and does, against a real emulator whose
world is changed through the official SDKs."""

from __future__ import annotations

import json

from playwright.sync_api import expect

import replication_helpers as rh
import sdk_clients as sc
from conftest import Emulator, Page


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


def test_compute_shows_instances_and_disks_with_their_transitions(dash, server):
    page = dash.open("compute")
    api = ebs(server)
    instance_id = rh.new_instance(api, rh.SRC_REGION, rh.SRC_ZONE)
    inst = page.locator("#inst-body tr", has_text=instance_id)
    expect(inst.locator(".st")).to_have_text("pending")
    expect(inst.locator(".st")).to_have_class("st st-sync busy")
    data_disk = rh.new_disk(api, rh.SRC_REGION, rh.SRC_ZONE)
    disk = page.locator("#disk-body tr", has_text=data_disk)
    expect(disk.locator(".st")).to_have_text("creating")
    advance_from_page(page, "+1 min")
    page.get_by_role("tab", name="Compute").click()
    expect(inst.locator(".st")).to_have_text("running")
    expect(disk.locator(".st")).to_have_text("available")
    api.ecs(rh.SRC_REGION).attach_disk(instance_id=instance_id, disk_id=data_disk)
    expect(disk.locator(".st")).to_have_text("attaching")
    expect(disk).to_contain_text(instance_id)
    expect(inst).to_contain_text(data_disk)
    # Filters: a search that matches nothing, then the instance's id.
    page.locator("#cf-text").fill("no-such-thing")
    expect(page.locator("#inst-body tr")).to_have_count(0)
    page.locator("#cf-text").fill(instance_id)
    expect(page.locator("#inst-body tr")).to_have_count(1)
    page.locator("#cf-text").fill("")
    page.locator("#cf-region").select_option(rh.DST_REGION)
    expect(page.locator("#inst-body tr")).to_have_count(0)
    page.locator("#cf-region").select_option("")
    dash.shot("compute")


def test_overview_counts_clock_and_faults(dash, server):
    api = ebs(server)
    rh.disk_pair(api)
    server.control("/_emulator/faults", {"action": "StartInstance", "code": "Throttling", "http_status": 400})
    page = dash.open("overview")
    expect(page.locator("#ov-counts [data-kind=disk] .total")).to_have_text("2")
    expect(page.locator("#ov-counts [data-kind=disk]")).to_contain_text("creating 2")
    expect(page.locator("#ov-accounts li.id")).to_have_count(1)
    expect(page.locator("#ov-regions")).to_contain_text(rh.SRC_REGION)
    expect(page.locator("#ov-regions")).to_contain_text(rh.DST_REGION)
    expect(page.locator("#ov-timing")).to_have_text("realistic")
    expect(page.locator("#ov-clock-mode")).to_contain_text("paused")
    expect(page.locator("#ov-faults")).to_contain_text("action=StartInstance")
    expect(page.locator("#ov-faults")).to_contain_text("answer Throttling (400)")
    server.advance(rh.DISK_CREATING)
    expect(page.locator("#ov-counts [data-kind=disk]")).to_contain_text("available 2")
    dash.shot("overview")


def test_clock_controls_pause_resume_and_custom_advance(dash, server):
    page = dash.open("controls")
    before = json.loads(server.control("/_emulator/clock", method="GET").body)["now_ms"]
    page.get_by_label("Seconds").fill("90")
    page.get_by_role("button", name="Advance", exact=True).click()
    expect(page.locator("#ctl-clock")).not_to_have_text("–")
    page.wait_for_function(
        f"() => fetch('/_emulator/clock').then(r => r.json()).then(c => c.now_ms >= {before} + 90000)")
    page.get_by_role("button", name="Resume").click()
    expect(page.locator("#clock-mode")).to_have_text("running")
    assert json.loads(server.control("/_emulator/clock", method="GET").body)["mode"] == "system"
    page.get_by_role("button", name="Pause").click()
    expect(page.locator("#clock-mode")).to_have_text("paused")
    assert json.loads(server.control("/_emulator/clock", method="GET").body)["mode"] == "manual"
    dash.shot("controls")


def test_export_reset_and_import_from_the_page(dash, server, tmp_path):
    api = ebs(server)
    src, dst = rh.disk_pair(api)
    server.advance(rh.DISK_CREATING)
    pair_id = api.create_pair(src, dst, name="kept")
    page = dash.open("controls")
    with page.expect_download() as dl:
        page.get_by_role("button", name="Export (download)").click()
    saved = tmp_path / "world.json"
    dl.value.save_as(saved)
    doc = json.loads(saved.read_text())
    assert doc["format_version"] == 2
    assert any(pair_id in a["replication"]["pairs"] for a in doc["accounts"].values())

    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Reset everything").click()
    expect(page.locator("#toast")).to_contain_text("reset done")
    page.get_by_role("tab", name="Replication").click()
    expect(page.locator("#pairs .pair")).to_have_count(0)

    page.get_by_role("tab", name="Controls").click()
    page.locator("#import-file").set_input_files(str(saved))
    expect(page.locator("#toast")).to_contain_text("state imported")
    page.get_by_role("tab", name="Replication").click()
    expect(pair_row(page, pair_id)).to_contain_text("kept")


def test_keyboard_reaches_every_view_and_actions_are_labelled(dash, server):
    api = ebs(server)
    src, dst = rh.disk_pair(api)
    server.advance(rh.DISK_CREATING)
    pair_id = api.create_pair(src, dst)
    server.advance(60)
    page = dash.open("overview")
    page.locator("#tab-overview").focus()
    for name in ("compute", "replication", "calls", "controls"):
        page.keyboard.press("ArrowRight")
        expect(page.locator(f"#tab-{name}")).to_be_focused()
        expect(page.locator(f"#view-{name}")).to_be_visible()
    page.keyboard.press("Home")
    expect(page.locator("#view-overview")).to_be_visible()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    # Tab into the replication view and start the pair with the keyboard alone.
    start = page.get_by_role("button", name=f"Start pair {pair_id}")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.act") == "start":
            break
    expect(start).to_be_focused()
    page.keyboard.press("Enter")
    expect(pair_row(page, pair_id).locator(".st").first).to_have_text("initial_syncing")
    # Every button has an accessible name.
    unnamed = page.evaluate("""() => Array.from(document.querySelectorAll('button'))
        .filter(b => !(b.getAttribute('aria-label') || b.textContent.trim())).length""")
    assert unnamed == 0


def test_dark_mode_and_a_laptop_screen(dash, server):
    api = ebs(server)
    src, dst = rh.disk_pair(api)
    server.advance(rh.DISK_CREATING)
    pair_id = api.create_pair(src, dst, name="dark")
    server.advance(60)
    api.start_pair(pair_id)
    server.advance(2)
    page = dash.page
    page.emulate_media(color_scheme="dark")
    page.set_viewport_size({"width": 1366, "height": 768})
    dash.open("replication")
    expect(pair_row(page, pair_id)).to_be_visible()
    bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert bg == "rgb(17, 20, 24)", bg
    # Nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    dash.shot("replication-dark")
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 1280, "height": 860})


def test_with_an_admin_token_the_page_asks_once(browser_context):
    em = Emulator("token", ["--timing", "instant", "--admin-token", "t0ken-for-tests"])
    try:
        assert sc.http(em.url, method="GET", path="/_emulator/view").status == 401
        assert sc.http(em.url, method="GET", path="/_emulator/view/stream").status == 401
        p = Page(browser_context, em.url)
        page = p.page
        page.goto(f"{em.url}/_emulator/ui/")
        dialog = page.get_by_role("dialog", name="Admin token")
        expect(dialog).to_be_visible()
        dialog.get_by_label("Token").fill("t0ken-for-tests")
        dialog.get_by_role("button", name="Use token").click()
        expect(page.locator("#conn")).to_have_text("live")
        page.reload()
        page.wait_for_selector("body[data-ready='1']")
        expect(page.locator("#conn")).to_have_text("live")
        expect(dialog).to_be_hidden()
        page.close()
        # The 401s before the token was given are the only console errors.
        assert all("401" in e for e in p.errors), p.errors
    finally:
        em.stop()


def test_another_site_cannot_drive_the_dashboard(server):
    body = json.dumps({"account": "a", "kind": "pair", "id": "p", "op": "delete"}).encode()
    evil = {"Origin": "http://evil.example", "Content-Type": "application/json"}
    r = sc.http(server.url, method="POST", path="/_emulator/dashboard/act", body=body, headers=evil)
    assert r.status == 403
    # A simple cross-site form post cannot declare JSON.
    form = {"Content-Type": "text/plain"}
    r = sc.http(server.url, method="POST", path="/_emulator/dashboard/act", body=body, headers=form)
    assert r.status == 415
    r = sc.http(server.url, method="GET", path="/_emulator/view/stream", headers={"Host": "evil.example"})
    assert r.status == 403
    page = sc.http(server.url, method="GET", path="/_emulator/ui/")
    assert page.status == 200
    assert "frame-ancestors 'none'" in page.headers.get("content-security-policy", "")


def test_a_group_and_its_members_fail_over_together_from_the_page(dash, server):
    """Also the README's screenshots: a group of two pairs, a lone pair, an instance, a fault."""
    api = ebs(server)
    members = []
    for name in ("db-primary", "db-logs"):
        src, dst = rh.disk_pair(api)
        server.advance(rh.DISK_CREATING)
        members.append(api.create_pair(src, dst, name=name))
    src, dst = rh.disk_pair(api)
    server.advance(rh.DISK_CREATING)
    lone = api.create_pair(src, dst, name="reports", RPO=900)
    server.advance(60)
    group_id = api.create_group(name="orders")
    server.advance(60)
    for p in members:
        api.add_pair(group_id, p)
    rh.new_instance(api, rh.SRC_REGION, rh.SRC_ZONE)
    server.advance(60)
    page = dash.open("replication")
    group = page.locator(f"#groups .pair[data-key$='/{group_id}']")
    expect(group).to_contain_text("2 pair(s)")
    for p in members:
        expect(group).to_contain_text(p)
        expect(pair_row(page, p)).to_contain_text(f"in group {group_id}")
    group.get_by_role("button", name=f"Start group {group_id}").click()
    pair_row(page, lone).get_by_role("button", name=f"Start pair {lone}").click()
    expect(group.locator(".st").first).to_have_text("initial_syncing")
    server.advance(600)
    expect(group.locator(".st").first).to_have_text("normal")
    for p in members:
        expect(pair_row(page, p).locator(".st").first).to_have_text("normal")
    server.advance(120)
    server.control("/_emulator/faults", {"action": "DescribeDisks", "code": "QuotaExceeded.Demo",
                                         "http_status": 403, "count": 1})
    sc.expect_error(lambda: sc.ecs_api("classic", server).describe_disks())
    dash.shot("readme-replication")
    group.get_by_role("button", name=f"Fail over group {group_id}").click()
    expect(group.locator(".st").first).to_have_text("failovering")
    server.advance(60)
    expect(group.locator(".st").first).to_have_text("failovered")
    for p in members:
        expect(pair_row(page, p).locator(".st").first).to_have_text("failovered")
    page.get_by_role("tab", name="Overview").click()
    expect(page.locator("#ov-counts [data-kind=group]")).to_contain_text("failovered 1")
    dash.shot("readme-overview")
    page.get_by_role("tab", name="Calls").click()
    page.locator("#calls-body tr.entry", has_text="FailoverDiskReplicaGroup").click()
    dash.shot("readme-calls")
    page.get_by_role("tab", name="Compute").click()
    dash.shot("readme-compute")
    page.get_by_role("tab", name="Controls").click()
    dash.shot("readme-controls")
