using StatusPlatform.Probe.Membership;

namespace StatusPlatform.Probe.Tests.Membership;

/// <summary>The work split as a pure function: stable, even, and moving as little as possible when members change.</summary>
public sealed class RendezvousTests
{
    private static readonly string[] Monitors = [.. Enumerable.Range(0, 30_000).Select(i => $"monitor-{i}")];

    [Fact]
    public void Every_process_computes_the_same_owner_whatever_order_it_heard_the_members_in()
    {
        string[] members = ["probe-a", "probe-b", "probe-c"];

        // Pinned: a per-process hash (string.GetHashCode) would move these between runs and between probes.
        Assert.Equal(["probe-a", "probe-a", "probe-c", "probe-c", "probe-c", "probe-b", "probe-b", "probe-b"],
            Enumerable.Range(0, 8).Select(i => Rendezvous.Owner($"monitor-{i}", members)));
        Assert.All(Monitors.Take(2_000), m => Assert.Equal(Rendezvous.Owner(m, members), Rendezvous.Owner(m, members.Reverse())));
    }

    [Fact]
    public void No_members_means_no_owner() => Assert.Null(Rendezvous.Owner("web", []));

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void Members_get_even_shares_within_five_percent(int count)
    {
        var members = Enumerable.Range(1, count).Select(i => $"probe-{i}").ToList();

        var shares = Monitors.GroupBy(m => Rendezvous.Owner(m, members)).ToDictionary(g => g.Key!, g => g.Count());

        var fair = Monitors.Length / (double)count;
        Assert.Equal(count, shares.Count);
        Assert.All(shares.Values, share => Assert.InRange(share, fair * 0.95, fair * 1.05));
    }

    [Fact]
    public void A_joining_member_takes_only_its_own_share_from_the_others()
    {
        string[] before = ["probe-1", "probe-2", "probe-3"];
        string[] after = [.. before, "probe-4"];

        var moved = Monitors.Where(m => Rendezvous.Owner(m, before) != Rendezvous.Owner(m, after)).ToList();

        // Every monitor that moved went to the newcomer, none from one old member to another, and about a quarter moved.
        Assert.All(moved, m => Assert.Equal("probe-4", Rendezvous.Owner(m, after)));
        Assert.InRange(moved.Count, Monitors.Length / 4 * 0.95, Monitors.Length / 4 * 1.05);
    }

    [Fact]
    public void A_leaving_member_hands_on_only_its_own_monitors()
    {
        string[] before = ["probe-1", "probe-2", "probe-3"];
        string[] after = ["probe-1", "probe-3"];

        var moved = Monitors.Where(m => Rendezvous.Owner(m, before) != Rendezvous.Owner(m, after)).ToList();

        Assert.Equal(Monitors.Count(m => Rendezvous.Owner(m, before) == "probe-2"), moved.Count);
        Assert.All(moved, m => Assert.Equal("probe-2", Rendezvous.Owner(m, before)));
        // ... and they spread over the remaining two instead of piling onto one.
        var takers = moved.GroupBy(m => Rendezvous.Owner(m, after)).ToDictionary(g => g.Key!, g => g.Count());
        Assert.All(takers.Values, n => Assert.InRange(n, moved.Count * 0.45, moved.Count * 0.55));
    }
}
