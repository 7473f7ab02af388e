using StatusPlatform.Contracts;
using StatusPlatform.Probe.Scheduling;

namespace StatusPlatform.Probe.Membership;

/// <summary>
/// The probes of one region as this instance knows them, and who owns a monitor's slot. Pure: time comes in as
/// arguments, so the rules below are tested without a broker or a clock.
/// <para>
/// Why no monitor is checked twice within an interval: a monitor's slots lie on a grid fixed by its id
/// (<see cref="ScheduleSpread"/>), and at each slot exactly one member runs it, the rendezvous owner among
/// the members that count <em>for that slot</em>. Membership changes are tied to slot times, not to the moment a
/// message arrives: a joining probe counts for slots from its <see cref="ProbeHeartbeat.ActiveFrom"/> on (its start
/// plus a warm-up of one heartbeat interval, in which its first heartbeat reaches everyone and they answer with theirs),
/// and a stopping probe for slots before its <see cref="ProbeLeaving.LeavingAt"/>. Members that received the news
/// in time therefore switch at the same slot, and a handover takes effect at the monitor's next slot, never inside one.
/// </para>
/// <para>
/// Residual risk, and why it leans to a double check: news travels, so members can briefly disagree. Wherever there is
/// a choice the split lets a disagreement give a monitor two owners rather than none, because a missed check hides an
/// outage for an interval while a double one costs one request and one more sample for the fold. Double: a member that
/// hears of a joiner only after the joiner's ActiveFrom keeps running, until it hears, the monitors the joiner took;
/// a probe cut off from the broker but alive is counted dead by the others and keeps its own share (its results cannot
/// be published then either); a probe restarted under the same id, which cannot know its previous run, catches up
/// (<see cref="CatchesUp"/>) the slots from <see cref="FirstRound.Slack"/> before its process started, of which its
/// previous run may have checked those before its LeavingAt when the restart took less than that slack; and of probes
/// started within seconds of each other, one that caught up a slot before it heard of the other may share it with it. Missed, where nothing else is possible: a probe that dies silently is noticed only after
/// its <see cref="ProbeHeartbeat.Lifetime"/>, which <see cref="ProbeOptions"/> keeps shorter than the minimum interval,
/// so each of its monitors misses at most one slot; and a leave notice that reaches a member after its LeavingAt (the
/// broker slower than half a heartbeat) leaves the slots in between to nobody.
/// </para>
/// </summary>
public sealed class MemberTable(string region, string selfId)
{
    private readonly Lock _gate = new();
    private Member[] _members = [];

    public string Region => region;

    public string SelfId => selfId;

    /// <summary>This instance counts for slots from <paramref name="activeFrom"/> on.</summary>
    public void Activate(DateTimeOffset startedAt, DateTimeOffset activeFrom) =>
        Update(_ => new Member(selfId, startedAt, activeFrom, DateTimeOffset.MaxValue, null), selfId);

    /// <summary>This instance stops counting for slots from <paramref name="leavingAt"/> on.</summary>
    public void Leave(DateTimeOffset leavingAt) => Update(m => m is null ? null : m with { LeavingAt = leavingAt }, selfId);

    /// <summary>Takes in a heartbeat received at <paramref name="receivedAt"/> (local clock); says what changed, if anything.</summary>
    public MembershipChange Heard(ProbeHeartbeat heartbeat, DateTimeOffset receivedAt)
    {
        if (heartbeat.Region != region)
            return MembershipChange.None;
        if (heartbeat.InstanceId == selfId)
            return Find(selfId) is { } self && self.StartedAt != heartbeat.StartedAt ? MembershipChange.DuplicateId : MembershipChange.None;
        var change = MembershipChange.None;
        Update(known =>
        {
            // Expiry counts on this instance's clock from arrival, so clock skew between machines does not shorten it.
            var expiresAt = receivedAt + heartbeat.Lifetime;
            if (known is null || known.StartedAt < heartbeat.StartedAt || known.ExpiresAt <= receivedAt)
            {
                change = known is null || known.ExpiresAt <= receivedAt ? MembershipChange.Joined : MembershipChange.Restarted;
                return new Member(heartbeat.InstanceId, heartbeat.StartedAt, heartbeat.ActiveFrom, expiresAt, null);
            }
            // A late heartbeat of an earlier run of the same instance says nothing about the current one.
            return known.StartedAt > heartbeat.StartedAt ? known : known with { ExpiresAt = expiresAt };
        }, heartbeat.InstanceId);
        return change;
    }

    /// <summary>Takes in a leave notice; true when it changed the table.</summary>
    public bool Left(ProbeLeaving leaving)
    {
        if (leaving.Region != region || leaving.InstanceId == selfId)
            return false;
        var changed = false;
        Update(known =>
        {
            if (known is null || known.StartedAt != leaving.StartedAt || known.LeavingAt is not null)
                return known;
            changed = true;
            return known with { LeavingAt = leaving.LeavingAt };
        }, leaving.InstanceId);
        return changed;
    }

    /// <summary>
    /// Drops members whose heartbeats ran out, or whose leave took effect a lifetime ago (a slot just before it may still
    /// be judged a little late); returns who went and whether they had said so. Ownership does not wait for this: a
    /// member stops counting the moment its heartbeats run out.
    /// </summary>
    public IReadOnlyList<(string InstanceId, bool Left)> Sweep(DateTimeOffset now, TimeSpan lifetime)
    {
        lock (_gate)
        {
            var gone = _members.Where(m => m.ExpiresAt <= now || m.LeavingAt + lifetime <= now).ToList();
            if (gone.Count > 0)
                Volatile.Write(ref _members, [.. _members.Except(gone)]);
            return [.. gone.Select(m => (m.InstanceId, m.LeavingAt is not null))];
        }
    }

    /// <summary>The owner of a monitor's slot <paramref name="slot"/>, judged at <paramref name="now"/>; null before this instance is active.</summary>
    public string? OwnerOf(ulong monitorHash, DateTimeOffset slot, DateTimeOffset now)
    {
        // Readers take the array without the lock: it is replaced, never changed, and 20,000 monitors ask per interval.
        var members = Volatile.Read(ref _members);
        string? owner = null;
        var best = 0UL;
        foreach (var member in members)
        {
            if (!member.CountsFor(slot, now))
                continue;
            var weight = Rendezvous.Weight(monitorHash, member.Hash);
            if (owner is null || weight > best || (weight == best && string.CompareOrdinal(member.InstanceId, owner) < 0))
                (owner, best) = (member.InstanceId, weight);
        }
        return owner;
    }

    /// <summary>
    /// Whether this instance runs a catch-up check (<see cref="FirstRound"/>) for a monitor's slot at
    /// <paramref name="missedSlot"/>, which passed before this instance had the monitor (it was starting), judged at
    /// <paramref name="now"/>. Only when no other member counted for that slot, so nobody ran it: a probe joining a
    /// running region leaves the slots before its ActiveFrom to the members that had them, and a restarted one takes
    /// over from a leaving one only the slots from its LeavingAt on. Of several probes starting together, only the owner
    /// of the monitor's next slot catches up, so the catch-up and the grid after it stay with one of them.
    /// </summary>
    public bool CatchesUp(ulong monitorHash, DateTimeOffset missedSlot, DateTimeOffset nextSlot, DateTimeOffset now)
    {
        // This instance itself may have counted for the missed slot (its catalog came after its warm-up): it had no loop then.
        var missedOwner = OwnerOf(monitorHash, missedSlot, now);
        return (missedOwner is null || missedOwner == selfId) && OwnerOf(monitorHash, nextSlot, now) == selfId;
    }

    /// <summary>The ids of the members that count for a slot at <paramref name="slot"/>, judged at <paramref name="now"/>.</summary>
    public IReadOnlyList<string> MembersFor(DateTimeOffset slot, DateTimeOffset now) =>
        [.. Volatile.Read(ref _members).Where(m => m.CountsFor(slot, now)).Select(m => m.InstanceId).Order(StringComparer.Ordinal)];

    private Member? Find(string instanceId) => Array.Find(Volatile.Read(ref _members), m => m.InstanceId == instanceId);

    private void Update(Func<Member?, Member?> change, string instanceId)
    {
        lock (_gate)
        {
            var known = Array.Find(_members, m => m.InstanceId == instanceId);
            var updated = change(known);
            if (ReferenceEquals(updated, known))
                return;
            var others = _members.Where(m => m.InstanceId != instanceId);
            Volatile.Write(ref _members, updated is null ? [.. others] : [.. others, updated]);
        }
    }

    private sealed record Member(string InstanceId, DateTimeOffset StartedAt, DateTimeOffset ActiveFrom, DateTimeOffset ExpiresAt, DateTimeOffset? LeavingAt)
    {
        public ulong Hash { get; } = ScheduleSpread.StableHash(InstanceId);

        public bool CountsFor(DateTimeOffset slot, DateTimeOffset now) =>
            ActiveFrom <= slot && (LeavingAt is null || slot < LeavingAt) && now < ExpiresAt;
    }
}

/// <summary>What a heartbeat changed in the table, for the log.</summary>
public enum MembershipChange
{
    None,
    Joined,
    Restarted,
    DuplicateId,
}
