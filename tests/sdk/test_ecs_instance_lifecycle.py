"""Stop/Reboot/Start/Delete state machines through both SDKs, instant and on a manual virtual clock."""

import pytest

import sdk_clients as sc
from sdk_clients import assert_error, expect_error

STOPPED = "i-bp1seedstopped000001"
RUNNING = "i-bp1seedrunning000001"
UNKNOWN = "i-bp1doesnotexist00001"

NOT_FOUND = (404, "InvalidInstanceId.NotFound", "The specified InstanceId does not exist.")
INCORRECT_STATUS = (403, "IncorrectInstanceStatus", "The current status of the resource does not support this operation.")
DRY_RUN_OK = (400, "DryRunOperation", "Request validation has been passed with DryRun flag set.")

# Upper bound of virtual time one documented transition may take ("a few seconds each").
TRANSITION_LIMIT_S = 120


def advance_until(server, api, instance_id, want, limit=TRANSITION_LIMIT_S):
    """Advance the manual clock one second at a time until the instance reports `want`.

    Returns the statuses seen on the way (first one included)."""
    seen = [sc.status_of(api, instance_id)]
    waited = 0
    while seen[-1] != want:
        assert waited < limit, f"{instance_id} still {seen[-1]} after {limit} virtual seconds (saw {seen})"
        server.advance(1)
        waited += 1
        status = sc.status_of(api, instance_id)
        if status != seen[-1]:
            seen.append(status)
    return seen


# -- instant timing --------------------------------------------------------------------------


def test_stop_running_instance(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    assert "RequestId" in api.stop_instance(RUNNING)
    assert sc.status_of(api, RUNNING) == "Stopped"
    assert_error(expect_error(lambda: api.stop_instance(RUNNING)), *INCORRECT_STATUS)


def test_stop_with_force(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    api.stop_instance(RUNNING, force_stop=True)
    assert sc.status_of(api, RUNNING) == "Stopped"


def test_stop_errors(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    assert_error(expect_error(lambda: api.stop_instance(UNKNOWN)), *NOT_FOUND)
    assert_error(expect_error(lambda: api.stop_instance(STOPPED)), *INCORRECT_STATUS)


def test_stop_dry_run(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    assert_error(expect_error(lambda: api.stop_instance(RUNNING, dry_run=True)), *DRY_RUN_OK)
    assert sc.status_of(api, RUNNING) == "Running"


def test_reboot_running_instance(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    assert "RequestId" in api.reboot_instance(RUNNING)
    assert sc.status_of(api, RUNNING) == "Running"


def test_reboot_errors(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    assert_error(expect_error(lambda: api.reboot_instance(UNKNOWN)), *NOT_FOUND)
    assert_error(expect_error(lambda: api.reboot_instance(STOPPED)), *INCORRECT_STATUS)
    assert sc.status_of(api, STOPPED) == "Stopped"


def test_reboot_dry_run(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    assert_error(expect_error(lambda: api.reboot_instance(RUNNING, dry_run=True)), *DRY_RUN_OK)
    assert sc.status_of(api, RUNNING) == "Running"


def test_stop_then_start_round_trip(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    api.stop_instance(RUNNING)
    api.start_instance(RUNNING)
    assert sc.status_of(api, RUNNING) == "Running"


def test_delete_stopped_instance(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    assert "RequestId" in api.delete_instance(STOPPED)
    assert sc.instances_of(api.describe_instances(instance_ids=[STOPPED])) == []
    assert_error(expect_error(lambda: api.start_instance(STOPPED)), *NOT_FOUND)
    assert_error(expect_error(lambda: api.delete_instance(STOPPED)), *NOT_FOUND)


def test_delete_running_instance_needs_force(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    assert_error(expect_error(lambda: api.delete_instance(RUNNING)), *INCORRECT_STATUS)
    assert sc.status_of(api, RUNNING) == "Running"
    api.delete_instance(RUNNING, force=True)
    assert sc.instances_of(api.describe_instances(instance_ids=[RUNNING])) == []


def test_delete_unknown_instance(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    assert_error(expect_error(lambda: api.delete_instance(UNKNOWN)), *NOT_FOUND)


def test_reset_restores_seed_state(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    api.delete_instance(STOPPED)
    api.stop_instance(RUNNING)
    seeded.reset()
    assert sc.status_of(api, STOPPED) == "Stopped"
    assert sc.status_of(api, RUNNING) == "Running"


# -- realistic timing, manual clock ------------------------------------------------------------


def test_start_passes_through_starting(realistic, sdk):
    api = sc.ecs_api(sdk, realistic)
    api.start_instance(STOPPED)
    assert sc.status_of(api, STOPPED) == "Starting"
    # the clock stands still: so does the instance
    assert sc.status_of(api, STOPPED) == "Starting"
    # not Stopped any more: a second start is refused
    assert_error(expect_error(lambda: api.start_instance(STOPPED)), *INCORRECT_STATUS)
    assert advance_until(realistic, api, STOPPED, "Running") == ["Starting", "Running"]


def test_stop_passes_through_stopping(realistic, sdk):
    api = sc.ecs_api(sdk, realistic)
    api.stop_instance(RUNNING)
    assert sc.status_of(api, RUNNING) == "Stopping"
    assert_error(expect_error(lambda: api.start_instance(RUNNING)), *INCORRECT_STATUS)
    assert advance_until(realistic, api, RUNNING, "Stopped") == ["Stopping", "Stopped"]
    api.start_instance(RUNNING)
    assert advance_until(realistic, api, RUNNING, "Running") == ["Starting", "Running"]


def test_reboot_passes_through_transitional_states(realistic, sdk):
    api = sc.ecs_api(sdk, realistic)
    api.reboot_instance(RUNNING)
    seen = advance_until(realistic, api, RUNNING, "Running")
    assert seen[0] in ("Stopping", "Starting"), seen
    assert set(seen) <= {"Stopping", "Starting", "Running"}, seen
    assert seen[-1] == "Running"


def test_transitions_wait_for_the_clock(realistic, sdk):
    """Nothing moves on wall-clock time under --clock manual; one large advance completes the transition."""
    api = sc.ecs_api(sdk, realistic)
    api.start_instance(STOPPED)
    realistic.advance(TRANSITION_LIMIT_S)
    assert sc.status_of(api, STOPPED) == "Running"


def test_dry_run_in_realistic_mode_changes_nothing(realistic, sdk):
    api = sc.ecs_api(sdk, realistic)
    assert_error(expect_error(lambda: api.start_instance(STOPPED, dry_run=True)), *DRY_RUN_OK)
    realistic.advance(TRANSITION_LIMIT_S)
    assert sc.status_of(api, STOPPED) == "Stopped"


def test_describe_instance_status_follows_transitions(realistic, sdk):
    api = sc.ecs_api(sdk, realistic)
    api.stop_instance(RUNNING)
    statuses = api.describe_instance_status(instance_ids=[RUNNING])["InstanceStatuses"]["InstanceStatus"]
    assert statuses == [{"InstanceId": RUNNING, "Status": "Stopping"}]
    realistic.advance(TRANSITION_LIMIT_S)
    statuses = api.describe_instance_status(instance_ids=[RUNNING])["InstanceStatuses"]["InstanceStatus"]
    assert statuses == [{"InstanceId": RUNNING, "Status": "Stopped"}]
