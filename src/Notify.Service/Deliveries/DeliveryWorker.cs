using Microsoft.Extensions.Options;
using StatusPlatform.Notify.Schema;

namespace StatusPlatform.Notify.Deliveries;

/// <summary>
/// Sends what the delivery log holds: claims due rows, sends them, records the outcome, and retries failures with
/// exponential backoff until <see cref="DeliveryOptions.MaxAttempts"/>. Because rows are committed before anything
/// is sent, a crash between recording and sending loses nothing: the next start (or another instance) sends them.
/// </summary>
public sealed class DeliveryWorker(
    NotifyDatabase database,
    DeliveryLog deliveries,
    SmtpEmailSender sender,
    DeliverySignal signal,
    IOptions<DeliveryOptions> options,
    ILogger<DeliveryWorker> logger) : BackgroundService
{
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(100);

    private readonly DeliveryOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await database.WhenReadyAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = _options.PollInterval;
            try
            {
                await Task.WhenAll(Enumerable.Range(0, _options.Concurrency).Select(_ => DrainAsync(stoppingToken)));
                // Sleep until the next retry is due if that comes before the next poll. The floor keeps a row that
                // is due but locked by another instance (mid-send) from turning this into a busy loop.
                if (await deliveries.TimeUntilNextDueAsync(stoppingToken) is { } due && due < wait)
                    wait = due < MinimumWait ? MinimumWait : due;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "The delivery worker failed; trying again in {Wait}", wait);
            }
            await signal.WaitAsync(wait, stoppingToken);
        }
    }

    private async Task DrainAsync(CancellationToken ct)
    {
        while (await SendNextAsync(ct))
        {
        }
    }

    private async Task<bool> SendNextAsync(CancellationToken ct)
    {
        await using var delivery = await deliveries.ClaimNextAsync(ct);
        if (delivery is null)
            return false;

        var attempt = delivery.Attempts + 1;
        try
        {
            await sender.SendAsync(delivery, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            var giveUp = SmtpEmailSender.IsPermanent(e) || attempt >= _options.MaxAttempts;
            var retryIn = _options.RetryDelayAfter(attempt);
            await delivery.MarkFailedAsync(Describe(e), giveUp, retryIn, CancellationToken.None);
            if (giveUp)
                logger.LogError(e, "Delivery {DeliveryId} to {Recipient} failed for good after {Attempts} attempts", delivery.Id, delivery.Recipient, attempt);
            else
                logger.LogWarning(e, "Delivery {DeliveryId} to {Recipient} failed (attempt {Attempt}); retrying in {RetryIn}", delivery.Id, delivery.Recipient, attempt, retryIn);
            return true;
        }

        // At-least-once window: the SMTP server has accepted the message, but until this commit the row is still
        // pending. A crash (or lost database connection) right here sends it again on the next claim, with the same
        // Message-ID so a receiving system can spot the repeat. Closing it needs a provider that deduplicates by key.
        // CancellationToken.None: a shutdown arriving now must not turn a sent message into a pending one.
        await delivery.MarkSentAsync(CancellationToken.None);
        logger.LogInformation("Delivery {DeliveryId} sent", delivery.Id);
        return true;
    }

    /// <summary>The whole chain: SmtpClient says "Failure sending mail." and keeps the reason in the inner exception.</summary>
    private static string Describe(Exception e)
    {
        var messages = new List<string>();
        for (Exception? x = e; x is not null; x = x.InnerException)
            messages.Add(x.Message);
        return string.Join(" -> ", messages);
    }
}
