using MassTransit;
using StatusPlatform.Contracts;

namespace StatusPlatform.Incident.History.TimeTravel;

/// <summary>Answers "what changed on the page between two moments?" over the bus.</summary>
public sealed class GetChangesConsumer(PageHistoryReader history) : IConsumer<GetChanges>
{
    public async Task Consume(ConsumeContext<GetChanges> context)
    {
        var (from, to) = (context.Message.From, context.Message.To);
        // Answered rather than thrown: a fault would be retried first, and bad input will not get better.
        if (to < from)
        {
            await context.RespondAsync(new HistoryRequestRejected($"GetChanges ends ({to:O}) before it starts ({from:O})."));
            return;
        }
        await context.RespondAsync(await history.GetChangesAsync(from, to, context.CancellationToken));
    }
}
