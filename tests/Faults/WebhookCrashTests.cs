using System.Globalization;
using StatusPlatform.Faults.Fixtures;
using Xunit.Abstractions;

namespace StatusPlatform.Faults;

/// <summary>
/// Notify.Service killed with SIGKILL in the middle of a webhook fan-out and started again. HTTP has no transaction
/// with the delivery log either, so a delivery is marked as sent the moment the end of its body is written
/// (AfterEndContent, SentMarks): a request cut off before its end is dropped by the receiver (it never reached its
/// Content-Length) and sent again; one whose end went out is recorded from its mark, not sent again. Only a kill in the
/// microseconds between the end and the mark leaving the process repeats a request; the failure then says so.
/// </summary>
public sealed class WebhookCrashTests(ITestOutputHelper output)
{
    private const int Subscribers = 300;
    private static readonly TimeSpan AnswerDelay = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_killed_and_restarted_notify_service_calls_every_webhook_exactly_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync(AnswerDelay);
        await using var notify = new NotifyWithWebhookSubscribers(Infra.Shared, receiver, Subscribers);
        await notify.StartAsync();
        var incident = NotifyWithSubscribers.Incident($"Webhook crash {Guid.NewGuid():N}"[..30]);

        // The kill follows the request that completes the first third: batches are part sent (a batch records its
        // outcomes after its last answer), and the other senders have requests in flight.
        var third = receiver.CompleteAtLeastAsync(Subscribers / 3);
        await notify.PublishAsync(incident, Guid.NewGuid());
        await third.WaitAsync(PhaseTimeout);
        var killedAt = DateTimeOffset.UtcNow;
        await notify.Service.KillAsync();
        var atKill = await notify.DeliveryStatusesAsync();
        var marksAtKill = await notify.CountAsync("select count(*) from notify.delivery_marks");
        await CheckStream.Until(() => Task.FromResult(receiver.InProgress == 0), PhaseTimeout, "the receiver to see every cut connection end");
        var completeAtKill = receiver.Complete;
        var cutOff = receiver.CutOff;
        await notify.Service.StartAsync(StartTimeout);

        await notify.SettledAsync(PhaseTimeout);
        var complete = receiver.Complete;
        // Rows recorded from their marks, with the mark's time (their sent_at), against the end of their body at the receiver.
        var fromMarks = (await notify.RowsAsync(
                "select id || ' ' || (extract(epoch from sent_at) * 1000)::bigint from notify.deliveries where outcome like 'sent; the reply was not recorded%'"))
            .Select(r => r.Split(' ')).ToDictionary(r => r[0], r => DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(r[1], CultureInfo.InvariantCulture)));
        var resent = cutOff.Where(c => complete.Any(r => r.DeliveryId == c.DeliveryId && r.Sequence > c.Sequence)).ToList();
        var lost = cutOff.Where(c => fromMarks.ContainsKey(c.DeliveryId) && complete.All(r => r.DeliveryId != c.DeliveryId)).ToList();
        var markToEnd = complete.Where(r => fromMarks.ContainsKey(r.DeliveryId)).Select(r => r.EndedAt - fromMarks[r.DeliveryId]).ToList();
        output.WriteLine($"{Subscribers} webhook subscribers; log at the kill: {string.Join(", ", atKill)}; complete requests at the kill: {completeAtKill.Count}; " +
            $"marked, batch not committed: {marksAtKill}; cut off at the kill (dropped by the receiver): {cutOff.Count}, of them sent again: {resent.Count}, " +
            $"recorded from their marks without a complete request: {lost.Count}" +
            (lost.Count == 0 ? "" : $" (marked {string.Join(", ", lost.Select(l => $"{(fromMarks[l.DeliveryId] - killedAt).TotalMilliseconds:0} ms"))} after the kill began)") +
            $"; recorded from their marks after the restart: {fromMarks.Count}; complete requests at the end: {complete.Count}; " +
            $"end at the receiver to mark: {Spread(markToEnd.Select(t => -t))}");

        // It really died mid fan-out: rows were still pending, and requests the receiver had acted on were not recorded yet.
        Assert.Contains(atKill, s => s.StartsWith("pending=", StringComparison.Ordinal));
        Assert.True(completeAtKill.Count < Subscribers, $"the fan-out was over ({completeAtKill.Count} requests) at the kill; it proves nothing");
        Assert.True(marksAtKill > 0, "no batch was part sent at the kill: the marks were not needed");
        Assert.Empty(await notify.RowsAsync("select delivery_id::text from notify.delivery_marks"));
        FanOutAssertions.AssertExactlyOneRequestEach(complete, notify.Paths,
            $"{cutOff.Count} requests were cut off at the kill, {resent.Count} of them sent again, {lost.Count} recorded as sent from their marks " +
            $"(e.g. {string.Join(", ", lost.Take(3).Select(l => $"{l.Path} {l.DeliveryId}, {l.Bytes} of {l.ContentLength} bytes"))}: marked, but never complete at the receiver)");
    }

    private static string Spread(IEnumerable<TimeSpan> times)
    {
        var ms = times.Select(t => t.TotalMilliseconds).Order().ToList();
        return ms.Count == 0 ? "none" : $"median {ms[ms.Count / 2]:0.0} ms, 90th percentile {ms[ms.Count * 9 / 10]:0.0} ms, max {ms[^1]:0.0} ms";
    }
}
