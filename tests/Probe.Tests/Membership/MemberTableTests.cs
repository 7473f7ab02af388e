using StatusPlatform.Contracts;
using StatusPlatform.Probe.Membership;
using StatusPlatform.Probe.Scheduling;

namespace StatusPlatform.Probe.Tests.Membership;

/// <summary>Who counts for which slot, with time as an input: joins, deaths and leaves take effect at slot times.</summary>
public sealed class MemberTableTests
{
    private const string Region = "eu-west";
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(6);

    private static MemberTable ActiveTable(string self = "probe-a")
    {
        var table = new MemberTable(Region, self);
        table.Activate(T0, T0.AddSeconds(4));
        return table;
    }

    private static ProbeHeartbeat Heartbeat(string instanceId, DateTimeOffset sentAt, DateTimeOffset? startedAt = null, string region = Region) =>
        new(region, instanceId, startedAt ?? T0, (startedAt ?? T0).AddSeconds(4), sentAt, Lifetime);

    [Fact]
    public void An_instance_counts_for_nothing_before_its_warm_up_ends_and_alone_owns_everything_after()
    {
        var table = ActiveTable();

        Assert.Null(table.OwnerOf(ScheduleSpread.StableHash("web"), T0.AddSeconds(3.999), T0.AddSeconds(3.999)));
        Assert.Equal("probe-a", table.OwnerOf(ScheduleSpread.StableHash("web"), T0.AddSeconds(4), T0.AddSeconds(4)));
        Assert.Null(new MemberTable(Region, "probe-x").OwnerOf(1, T0, T0));
    }

    [Fact]
    public void A_joining_probe_counts_from_its_announced_slot_time_not_from_when_it_was_heard()
    {
        var table = ActiveTable();
        var joinedAt = T0.AddSeconds(20);

        Assert.Equal(MembershipChange.Joined, table.Heard(Heartbeat("probe-b", joinedAt, startedAt: joinedAt), joinedAt.AddMilliseconds(5)));

        Assert.Equal(["probe-a"], table.MembersFor(joinedAt.AddSeconds(3.9), joinedAt.AddSeconds(3.9)));
        Assert.Equal(["probe-a", "probe-b"], table.MembersFor(joinedAt.AddSeconds(4), joinedAt.AddSeconds(4)));
    }

    [Fact]
    public void Both_members_agree_on_every_owner_once_each_has_heard_the_other()
    {
        var (a, b) = (ActiveTable("probe-a"), ActiveTable("probe-b"));
        a.Heard(Heartbeat("probe-b", T0.AddSeconds(8)), T0.AddSeconds(8));
        b.Heard(Heartbeat("probe-a", T0.AddSeconds(8)), T0.AddSeconds(8));
        var slot = T0.AddSeconds(10);

        var owners = Enumerable.Range(0, 1_000).Select(i => ScheduleSpread.StableHash($"m-{i}"))
            .Select(h => (A: a.OwnerOf(h, slot, slot), B: b.OwnerOf(h, slot, slot))).ToList();

        Assert.All(owners, o => Assert.Equal(o.A, o.B));
        Assert.InRange(owners.Count(o => o.A == "probe-a"), 400, 600);
    }

    [Fact]
    public void A_member_is_dead_once_its_heartbeats_have_been_missing_for_its_lifetime()
    {
        var table = ActiveTable();
        var lastHeard = T0.AddSeconds(30);
        table.Heard(Heartbeat("probe-b", lastHeard), lastHeard);

        Assert.Contains("probe-b", table.MembersFor(lastHeard + Lifetime, lastHeard + Lifetime - TimeSpan.FromMilliseconds(1)));
        Assert.DoesNotContain("probe-b", table.MembersFor(lastHeard + Lifetime, lastHeard + Lifetime));
        Assert.Equal(new[] { ("probe-b", false) }, table.Sweep(lastHeard + Lifetime, Lifetime));
        Assert.Equal(["probe-a"], table.MembersFor(lastHeard + Lifetime, lastHeard + Lifetime));
    }

    [Fact]
    public void A_leaving_member_counts_for_the_slots_before_its_leave_and_no_later()
    {
        var table = ActiveTable();
        table.Heard(Heartbeat("probe-b", T0), T0);
        var leavingAt = T0.AddSeconds(5);

        Assert.True(table.Left(new ProbeLeaving(Region, "probe-b", T0, leavingAt)));
        Assert.False(table.Left(new ProbeLeaving(Region, "probe-b", T0, leavingAt.AddSeconds(1))));
        // A heartbeat it sent before leaving, delivered late, does not bring it back.
        table.Heard(Heartbeat("probe-b", T0.AddSeconds(4.5)), leavingAt.AddSeconds(0.1));

        Assert.Contains("probe-b", table.MembersFor(leavingAt.AddMilliseconds(-1), leavingAt.AddSeconds(0.1)));
        Assert.DoesNotContain("probe-b", table.MembersFor(leavingAt, leavingAt.AddSeconds(0.1)));
    }

    [Fact]
    public void A_restarted_instance_is_a_new_member_and_a_late_heartbeat_of_its_old_run_changes_nothing()
    {
        var table = ActiveTable();
        table.Heard(Heartbeat("probe-b", T0.AddSeconds(5)), T0.AddSeconds(5));
        table.Left(new ProbeLeaving(Region, "probe-b", T0, T0.AddSeconds(8)));
        var restartedAt = T0.AddSeconds(9);

        Assert.Equal(MembershipChange.Restarted, table.Heard(Heartbeat("probe-b", restartedAt, startedAt: restartedAt), restartedAt));
        Assert.Equal(MembershipChange.None, table.Heard(Heartbeat("probe-b", T0.AddSeconds(7)), restartedAt.AddSeconds(1)));

        Assert.DoesNotContain("probe-b", table.MembersFor(restartedAt.AddSeconds(3), restartedAt.AddSeconds(3)));
        Assert.Contains("probe-b", table.MembersFor(restartedAt.AddSeconds(4), restartedAt.AddSeconds(4)));
    }

    [Fact]
    public void Heartbeats_of_other_regions_and_of_itself_are_not_members()
    {
        var table = ActiveTable();

        Assert.Equal(MembershipChange.None, table.Heard(Heartbeat("probe-z", T0, region: "us-east"), T0));
        Assert.Equal(MembershipChange.None, table.Heard(Heartbeat("probe-a", T0), T0));
        Assert.Equal(MembershipChange.DuplicateId, table.Heard(Heartbeat("probe-a", T0, startedAt: T0.AddSeconds(1)), T0));
        Assert.Equal(["probe-a"], table.MembersFor(T0.AddSeconds(10), T0.AddSeconds(1)));
    }

    [Fact]
    public void A_probe_alone_catches_up_the_slots_that_passed_while_it_started_and_those_it_owned_before_its_catalog_came()
    {
        var table = ActiveTable();
        var web = ScheduleSpread.StableHash("web");

        // Before its warm-up ended nobody counted for the slot; after it, this probe did, but it had no loop yet.
        Assert.True(table.CatchesUp(web, T0.AddSeconds(2), T0.AddSeconds(32), T0.AddSeconds(5)));
        Assert.True(table.CatchesUp(web, T0.AddSeconds(6), T0.AddSeconds(36), T0.AddSeconds(8)));
    }

    [Fact]
    public void A_probe_joining_a_running_region_leaves_the_slots_before_its_warm_up_to_the_member_that_ran_them()
    {
        var table = ActiveTable();
        table.Heard(Heartbeat("probe-b", T0.AddSeconds(1), startedAt: T0.AddMinutes(-10)), T0.AddSeconds(1));
        var (missed, now) = (T0.AddSeconds(2), T0.AddSeconds(5));

        Assert.All(Hashes(1_000), h => Assert.False(table.CatchesUp(h, missed, missed.AddSeconds(30), now)));
        // Even for the monitors whose next slot is its own.
        Assert.InRange(Hashes(1_000).Count(h => table.OwnerOf(h, missed.AddSeconds(30), now) == "probe-a"), 400, 600);
    }

    [Fact]
    public void Of_probes_starting_together_only_the_owner_of_the_next_slot_catches_up()
    {
        var (a, b) = (ActiveTable("probe-a"), ActiveTable("probe-b"));
        a.Heard(Heartbeat("probe-b", T0.AddSeconds(1)), T0.AddSeconds(1));
        b.Heard(Heartbeat("probe-a", T0.AddSeconds(1)), T0.AddSeconds(1));
        var (missed, now) = (T0.AddSeconds(2), T0.AddSeconds(5));

        Assert.All(Hashes(1_000), h =>
        {
            var (byA, byB) = (a.CatchesUp(h, missed, missed.AddSeconds(30), now), b.CatchesUp(h, missed, missed.AddSeconds(30), now));
            Assert.NotEqual(byA, byB);
            Assert.Equal(byA ? "probe-a" : "probe-b", a.OwnerOf(h, missed.AddSeconds(30), now));
        });
    }

    [Fact]
    public void A_probe_starting_beside_a_leaving_one_catches_up_only_the_slots_from_its_leave_on()
    {
        var table = ActiveTable();
        var since = T0.AddMinutes(-10);
        table.Heard(Heartbeat("probe-b", T0.AddSeconds(1), startedAt: since), T0.AddSeconds(1));
        table.Left(new ProbeLeaving(Region, "probe-b", since, T0.AddSeconds(3)));
        var now = T0.AddSeconds(5);

        Assert.All(Hashes(1_000), h =>
        {
            Assert.False(table.CatchesUp(h, T0.AddSeconds(2.9), T0.AddSeconds(32.9), now));
            Assert.True(table.CatchesUp(h, T0.AddSeconds(3), T0.AddSeconds(33), now));
        });
    }

    private static IEnumerable<ulong> Hashes(int count) => Enumerable.Range(0, count).Select(i => ScheduleSpread.StableHash($"m-{i}"));
}
