using MassTransit;
using StatusPlatform.Contracts;

namespace StatusPlatform.Incident.History.TimeTravel;

/// <summary>Answers "what did the page show at T?" over the bus.</summary>
public sealed class GetPageAtConsumer(PageHistoryReader history) : IConsumer<GetPageAt>
{
    public async Task Consume(ConsumeContext<GetPageAt> context)
    {
        if (context.Message.At == default)
        {
            await context.RespondAsync(new HistoryRequestRejected("GetPageAt.At is not set."));
            return;
        }
        await context.RespondAsync(await history.GetPageAtAsync(context.Message.At, context.CancellationToken));
    }
}
