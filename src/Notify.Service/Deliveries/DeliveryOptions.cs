namespace StatusPlatform.Notify.Deliveries;

/// <summary>How the delivery worker paces itself (configuration section <c>Delivery</c>).</summary>
public sealed class DeliveryOptions
{
    public const string Section = "Delivery";

    /// <summary>How often the worker looks for work nobody nudged it about: rows of another instance, or left by a crash.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The wait before the first retry; each further retry waits twice as long, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Attempts before a delivery is marked failed for good.</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>Deliveries sent at the same time; each holds one row lock and one SMTP connection.</summary>
    public int Concurrency { get; set; } = 4;

    public TimeSpan RetryDelayAfter(int attempt) =>
        TimeSpan.FromTicks(Math.Min(RetryDelay.Ticks * (1L << Math.Clamp(attempt - 1, 0, 30)), MaxRetryDelay.Ticks));

    /// <summary>What is wrong with the configured values, or null.</summary>
    public string? Problem() =>
        PollInterval <= TimeSpan.Zero ? "Delivery:PollInterval must be positive."
        : RetryDelay < TimeSpan.Zero || MaxRetryDelay < RetryDelay ? "Delivery:RetryDelay must be between 0 and Delivery:MaxRetryDelay."
        : MaxAttempts < 1 ? "Delivery:MaxAttempts must be at least 1."
        : Concurrency is < 1 or > 64 ? "Delivery:Concurrency must be between 1 and 64."
        : null;
}
