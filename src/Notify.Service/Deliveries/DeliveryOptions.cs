using StatusPlatform.Contracts;

namespace StatusPlatform.Notify.Deliveries;

/// <summary>How the delivery worker paces itself (configuration section <c>Delivery</c>).</summary>
public sealed class DeliveryOptions
{
    public const string Section = "Delivery";

    /// <summary>How often the worker looks for work nobody nudged it about: rows of another instance, or left by a crash.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The wait before the first retry; each further retry waits twice as long (with jitter), up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Attempts before a delivery is marked failed for good.</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>Email deliveries sent at the same time (each holds one row lock and one SMTP connection), unless Channels:email says otherwise.</summary>
    public int Concurrency { get; set; } = 4;

    /// <summary>
    /// Deliveries one sender claims per transaction. More means less database work per message, and more messages
    /// sent twice if the process dies mid-batch (a graceful stop finishes the batch).
    /// </summary>
    public int ClaimBatchSize { get; set; } = 20;

    /// <summary>
    /// Subscribers whose deliveries of one event are recorded per transaction (DeliveryLog.RecordAsync): the workers
    /// start on the first ones while the rest are recorded. Fewer means earlier first sends and more commits.
    /// </summary>
    public int RecordBatchSize { get; set; } = 2000;

    /// <summary>For one send (SMTP conversation or HTTP request).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Per channel group (email, sms, webhook, chat): concurrency and a rate limit in messages per second (0: none).</summary>
    public Dictionary<string, ChannelLimits> Channels { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The circuit of a destination opens when this share of its sends fail...</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>...among at least this many within <see cref="BreakerSamplingDuration"/>...</summary>
    public int BreakerMinimumThroughput { get; set; } = 10;

    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>...and stays open this long; its deliveries wait meanwhile without losing an attempt.</summary>
    public TimeSpan BreakerDuration { get; set; } = TimeSpan.FromSeconds(30);

    public static IReadOnlyList<string> Groups { get; } = ["email", "sms", "webhook", "chat"];

    public static string GroupOf(string channel) => SubscriptionChannel.Chat.Contains(channel) ? "chat" : channel;

    public static IReadOnlyList<string> ChannelsOf(string group) => group == "chat" ? SubscriptionChannel.Chat : [group];

    public ChannelLimits LimitsOf(string group) =>
        Channels.TryGetValue(group, out var limits) ? limits
        : group switch
        {
            "email" => new ChannelLimits { Concurrency = Concurrency },
            "webhook" => new ChannelLimits { Concurrency = 32 },
            "chat" => new ChannelLimits { Concurrency = 4, PerSecond = 20 },
            _ => new ChannelLimits { Concurrency = 2, PerSecond = 10 },
        };

    /// <summary>Exponential backoff with ±25 % jitter, so deliveries that failed together do not retry together.</summary>
    public TimeSpan RetryDelayAfter(int attempt)
    {
        var exponential = Math.Min(RetryDelay.Ticks * (double)(1L << Math.Clamp(attempt - 1, 0, 30)), MaxRetryDelay.Ticks);
        return TimeSpan.FromTicks((long)(exponential * (0.75 + (Random.Shared.NextDouble() * 0.5))));
    }

    /// <summary>What is wrong with the configured values, or null.</summary>
    public string? Problem() =>
        PollInterval <= TimeSpan.Zero ? "Delivery:PollInterval must be positive."
        : RetryDelay < TimeSpan.Zero || MaxRetryDelay < RetryDelay ? "Delivery:RetryDelay must be between 0 and Delivery:MaxRetryDelay."
        : MaxAttempts < 1 ? "Delivery:MaxAttempts must be at least 1."
        : Concurrency is < 1 or > 64 ? "Delivery:Concurrency must be between 1 and 64."
        : RecordBatchSize is < 1 or > 100_000 ? "Delivery:RecordBatchSize must be between 1 and 100000."
        : AttemptTimeout <= TimeSpan.Zero ? "Delivery:AttemptTimeout must be positive."
        : ClaimBatchSize is < 1 or > 1000 ? "Delivery:ClaimBatchSize must be between 1 and 1000."
        : BreakerFailureRatio is <= 0 or > 1 || BreakerMinimumThroughput < 2 || BreakerDuration < TimeSpan.FromMilliseconds(500)
            ? "Delivery:Breaker* settings: ratio in (0, 1], minimum throughput at least 2, duration at least 0.5 s."
        : Channels.FirstOrDefault(c => !Groups.Contains(c.Key) || c.Value.Concurrency is < 1 or > 256 || c.Value.PerSecond < 0) is { Key: { } bad }
            ? $"Delivery:Channels:{bad}: the group must be one of {string.Join(", ", Groups)}, concurrency 1 to 256, per second at least 0."
        : null;
}

public sealed class ChannelLimits
{
    public int Concurrency { get; set; } = 4;

    /// <summary>Messages per second for the whole group in this instance; 0 for no limit.</summary>
    public double PerSecond { get; set; }
}
