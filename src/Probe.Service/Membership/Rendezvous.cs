using StatusPlatform.Probe.Scheduling;

namespace StatusPlatform.Probe.Membership;

/// <summary>
/// Rendezvous (highest-random-weight) hashing: a monitor belongs to the member whose weight for it is highest. Every
/// probe that knows the same members computes the same owner without asking anyone, the members' shares are even,
/// and when a member joins or leaves only the monitors it takes or gives up move; all others stay where they were.
/// </summary>
public static class Rendezvous
{
    /// <summary>The owner of <paramref name="monitorId"/> among <paramref name="members"/>; null when there are none.</summary>
    public static string? Owner(string monitorId, IEnumerable<string> members) => Owner(ScheduleSpread.StableHash(monitorId), members);

    /// <summary>The same, for a monitor hash computed once (<see cref="ScheduleSpread.StableHash"/> of its id).</summary>
    public static string? Owner(ulong monitorHash, IEnumerable<string> members)
    {
        string? owner = null;
        var best = 0UL;
        foreach (var member in members)
        {
            var weight = Weight(monitorHash, ScheduleSpread.StableHash(member));
            // Ties (one in 2^64) go to the smaller id, so the answer never depends on the order members were heard in.
            if (owner is null || weight > best || (weight == best && string.CompareOrdinal(member, owner) < 0))
                (owner, best) = (member, weight);
        }
        return owner;
    }

    /// <summary>
    /// Mixes both hashes through the splitmix64 finaliser: FNV-1a alone keeps too much of its input's structure, and
    /// ids like "probe-1"/"probe-2" would then win the same monitors far more often than a third each.
    /// </summary>
    public static ulong Weight(ulong monitorHash, ulong memberHash) => Mix(monitorHash ^ Mix(memberHash));

    private static ulong Mix(ulong z)
    {
        z += 0x9e3779b97f4a7c15UL;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
        return z ^ (z >> 31);
    }
}
