using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using StatusPlatform.Notify.Channels;
using StatusPlatform.Notify.Notices;
using StatusPlatform.Notify.Schema;

namespace StatusPlatform.Notify.Deliveries;

/// <summary>
/// Sends what the delivery log holds: per channel group (email, sms, webhook, chat) its own loop with its own
/// concurrency and rate limit, so a slow webhook never holds up email. Each send goes through its destination's
/// circuit breaker; failures retry with exponential backoff and jitter until <see cref="DeliveryOptions.MaxAttempts"/>,
/// and a subscriber whose end keeps failing is quarantined. Because rows are committed before anything is sent, a
/// crash between recording and sending loses nothing: the next start (or another instance) sends them. And because each
/// send is marked as sent (<see cref="SentMarks"/>) the moment its end goes out, a crash mid-batch repeats nothing
/// either (but a message whose end left in the microseconds before its mark): a marked row is recorded as sent, an
/// unmarked one never reached the receiver whole.
/// </summary>
public sealed class DeliveryWorker(
    NotifyDatabase database,
    DeliveryLog deliveries,
    SentMarks marks,
    IEnumerable<IChannelSender> senders,
    DestinationBreakers breakers,
    DeliverySignal signal,
    NotifyMetrics metrics,
    IOptions<DeliveryOptions> options,
    IOptions<NotifyOptions> notify,
    ILogger<DeliveryWorker> logger) : BackgroundService
{
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(100);

    private readonly DeliveryOptions _options = options.Value;
    private readonly int _quarantineAfter = notify.Value.QuarantineAfter;
    // Delivered, but the database did not take the mark (see RecordedOrRememberedAsync): delivery id -> the receiver's answer.
    private readonly ConcurrentDictionary<Guid, string> _unrecorded = new();
    private readonly Dictionary<string, IChannelSender> _senders = senders.SelectMany(s => s.Channels.Select(c => (c, s))).ToDictionary(x => x.c, x => x.s);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var group in DeliveryOptions.Groups)
            signal.Register(group);
        await database.WhenReadyAsync(stoppingToken);
        await Task.WhenAll(DeliveryOptions.Groups.Select(g => RunGroupAsync(g, stoppingToken)));
    }

    private async Task RunGroupAsync(string group, CancellationToken stoppingToken)
    {
        var channels = DeliveryOptions.ChannelsOf(group);
        var limits = _options.LimitsOf(group);
        using var limiter = limits.PerSecond > 0
            ? new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(1, (int)Math.Ceiling(limits.PerSecond / 10)),
                TokensPerPeriod = Math.Max(1, (int)Math.Ceiling(limits.PerSecond / 10)),
                ReplenishmentPeriod = TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(limits.PerSecond / 10)) / limits.PerSecond),
                QueueLimit = int.MaxValue,
                AutoReplenishment = true,
            })
            : null;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = _options.PollInterval;
            try
            {
                await RecordRememberedAsync(stoppingToken);
                if (await deliveries.FinishMarkedAsync(channels, stoppingToken) is > 0 and var finished)
                    logger.LogInformation("{Count} {Group} deliveries went out before their batch was recorded (a crash or a lost database connection); recorded them as sent", finished, group);
                await Task.WhenAll(Enumerable.Range(0, limits.Concurrency).Select(_ => DrainAsync(channels, limiter, stoppingToken)));
                // Sleep until the next retry is due if that comes before the next poll. The floor keeps a row that
                // is due but locked by another instance (mid-send) from turning this into a busy loop.
                if (await deliveries.TimeUntilNextDueAsync(channels, stoppingToken) is { } due && due < wait)
                    wait = due < MinimumWait ? MinimumWait : due;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "The {Group} delivery loop failed; trying again in {Wait}", group, wait);
            }
            await signal.WaitAsync(group, wait, stoppingToken);
        }
    }

    private async Task DrainAsync(IReadOnlyList<string> channels, RateLimiter? limiter, CancellationToken ct)
    {
        while (await SendBatchAsync(channels, limiter, ct))
        {
        }
    }

    /// <summary>Claims a batch, sends its rows one after another, and commits their outcomes; false when nothing was due.</summary>
    private async Task<bool> SendBatchAsync(IReadOnlyList<string> channels, RateLimiter? limiter, CancellationToken ct)
    {
        await using var batch = await deliveries.ClaimAsync(channels, _options.ClaimBatchSize, ct);
        if (batch.Rows.Count == 0)
            return false;
        foreach (var row in batch.Rows)
        {
            if (limiter is not null)
            {
                // Not the stopping token: the batch is claimed, and a stop lets it finish rather than leave it half sent.
                using var lease = await limiter.AcquireAsync(1, CancellationToken.None);
            }
            await SendAsync(batch, row);
        }
        // CancellationToken.None: a shutdown arriving now must not turn sent messages into pending ones.
        await batch.CommitAsync(CancellationToken.None);
        return true;
    }

    /// <summary>Sends one row under its span ("notify.send email", in the event's trace) and counts the outcome.</summary>
    private async Task SendAsync(ClaimedBatch batch, DeliveryToSend row)
    {
        using var activity = NotifyMetrics.StartSend(row);
        var started = Stopwatch.GetTimestamp();
        var (outcome, reason, error) = await AttemptAsync(batch, row);
        metrics.Record(row, outcome, Stopwatch.GetElapsedTime(started), DateTimeOffset.UtcNow, reason);
        NotifyMetrics.EndSend(activity, outcome, error);
    }

    private async Task<(DeliveryOutcome Outcome, string? Reason, string? Error)> AttemptAsync(ClaimedBatch batch, DeliveryToSend row)
    {
        if (SkipReason(row) is { } skip)
        {
            batch.Skip(row, skip);
            return (DeliveryOutcome.Skipped, null, skip);
        }
        if (!_senders.TryGetValue(row.Channel, out var sender))
        {
            var missing = $"No sender for channel '{row.Channel}'.";
            await batch.MarkFailedAsync(row, missing, giveUp: true, TimeSpan.Zero, blameSubscriber: false, _quarantineAfter, CancellationToken.None);
            return (DeliveryOutcome.Failed, "no_sender", missing);
        }

        var attempt = row.Attempts + 1;
        if (_unrecorded.TryGetValue(row.Id, out var delivered))
        {
            // Sent before the database went away, and not recorded since: it is not sent again.
            batch.MarkSent(row, delivered);
            return (DeliveryOutcome.Sent, null, null);
        }
        Task? mark = null;
        try
        {
            // Not cancelled by shutdown: a send in flight finishes (within the attempt timeout) and is recorded, so
            // stopping an instance mid fan-out repeats nothing; only new claims stop.
            var outcome = await breakers.ExecuteAsync(sender.Destination(row), token => sender.SendAsync(row, () => mark = marks.MarkAsync(row.Id), token),
                CancellationToken.None);
            if (mark is not null)
                await RecordedOrRememberedAsync(mark, row, outcome);
            batch.MarkSent(row, outcome);
            return (DeliveryOutcome.Sent, null, null);
        }
        catch (BrokenCircuitException e)
        {
            // The destination is down for everyone: wait for the circuit, and do not charge the subscriber an attempt.
            var reason = $"circuit open for {sender.Destination(row)}: {e.Message}";
            batch.Defer(row, e.RetryAfter ?? _options.BreakerDuration, reason);
            return (DeliveryOutcome.Deferred, null, reason);
        }
        catch (Exception e)
        {
            if (mark is not null)
            {
                // The receiver refused after the end, or the answer never came: the batch's outcome replaces the mark.
                await mark.ContinueWith(static t => t.Exception, TaskScheduler.Default);
            }
            var failure = e as DeliveryException;
            var giveUp = failure?.Permanent == true || attempt >= _options.MaxAttempts;
            var retryIn = _options.RetryDelayAfter(attempt);
            var blame = failure?.BlameSubscriber ?? (row.Channel is "webhook" || Contracts.SubscriptionChannel.Chat.Contains(row.Channel));
            var error = Describe(e);
            var quarantined = await batch.MarkFailedAsync(row, error, giveUp, retryIn, blame, _quarantineAfter, CancellationToken.None);
            if (quarantined)
            {
                logger.LogWarning("Subscriber {SubscriberId} quarantined after {Count} consecutive failed deliveries", row.SubscriberId, _quarantineAfter);
                return (DeliveryOutcome.Quarantined, null, error);
            }
            if (giveUp)
            {
                logger.LogError(e, "Delivery {DeliveryId} ({Channel}) failed for good after {Attempts} attempts", row.Id, row.Channel, attempt);
                return (DeliveryOutcome.Failed, failure?.Permanent == true ? "permanent" : "attempts", error);
            }
            logger.LogWarning(e, "Delivery {DeliveryId} ({Channel}) failed (attempt {Attempt}); retrying in {RetryIn}", row.Id, row.Channel, attempt, retryIn);
            return (DeliveryOutcome.Retrying, null, error);
        }
    }

    /// <summary>
    /// Waits for a delivered message's mark. If the database did not take it (it restarted, the connection broke), the
    /// message is still delivered: this process remembers it and records it as soon as the database answers again
    /// (<see cref="RecordRememberedAsync"/>), and never sends it again meanwhile. Only a crash during the outage forgets.
    /// </summary>
    private async Task RecordedOrRememberedAsync(Task mark, DeliveryToSend row, string outcome)
    {
        try
        {
            await mark;
        }
        catch (Exception e)
        {
            _unrecorded[row.Id] = outcome;
            logger.LogWarning(e, "Delivery {DeliveryId} ({Channel}) went out but could not be marked as sent; it is recorded when the database answers again", row.Id, row.Channel);
        }
    }

    /// <summary>Marks what went out while the database was away; the marks are then finished like a crashed batch's.</summary>
    private async Task RecordRememberedAsync(CancellationToken ct)
    {
        if (_unrecorded.IsEmpty)
            return;
        var ids = _unrecorded.Keys.ToArray();
        await marks.MarkAsync(ids, ct);
        foreach (var id in ids)
            _unrecorded.TryRemove(id, out _);
    }

    /// <summary>Why a claimed row must not go out any more, or null.</summary>
    private static string? SkipReason(DeliveryToSend row) =>
        row.Unsubscribed ? "the subscriber unsubscribed before it was sent"
        : row.Quarantined && !row.OpsRoom ? "the subscriber is quarantined"
        // An unconfirmed address never gets incident mail, whatever wrote the row.
        : !row.Confirmed && !NoticeKind.IsAboutSubscription(row.Kind) ? "the subscriber has not confirmed"
        : null;

    /// <summary>The whole chain: SmtpClient says "Failure sending mail." and keeps the reason in the inner exception.</summary>
    private static string Describe(Exception e)
    {
        var messages = new List<string>();
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is not DeliveryException || x.InnerException is null)
                messages.Add(DestinationBreakers.IsTimeout(x) ? $"timed out: {x.Message}" : x.Message);
        }
        return string.Join(" -> ", messages.Distinct());
    }
}
