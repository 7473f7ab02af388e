using System.Text.Json;
using System.Text.RegularExpressions;

namespace StatusPlatform.EventSourcing;

public sealed partial class EventStoreOptions
{
    private string _schema = "events";

    /// <summary>PostgreSQL schema holding streams, events, snapshots and checkpoints.</summary>
    public string Schema
    {
        get => _schema;
        // The schema name is spliced into SQL text, so only plain identifiers are accepted.
        set => _schema = IdentifierPattern().IsMatch(value)
            ? value
            : throw new ArgumentException($"'{value}' is not a valid schema name (lowercase letters, digits, underscore).", nameof(value));
    }

    public EventTypeRegistry Events { get; } = new();

    public JsonSerializerOptions Json { get; set; } = new(JsonSerializerDefaults.Web);

    /// <summary>How often the sequencer looks for newly committed events.</summary>
    public TimeSpan SequencerInterval { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>How often a non-leader instance tries to become the sequencer leader.</summary>
    public TimeSpan LeaderRetryInterval { get; set; } = TimeSpan.FromSeconds(1);

    public int SequencerBatchSize { get; set; } = 5_000;

    public int SubscriptionBatchSize { get; set; } = 500;

    /// <summary>Upper bound on a subscription's wait when no notification arrives (a lost NOTIFY must not stall it).</summary>
    public TimeSpan SubscriptionPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the lag gauges (sequencer and subscriptions, <see cref="Subscriptions.FeedLag"/>) are read from the database.</summary>
    public TimeSpan LagSampleInterval { get; set; } = TimeSpan.FromSeconds(5);

    internal string NotifyChannel => $"{Schema}_sequenced";

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,40}$")]
    private static partial Regex IdentifierPattern();
}
