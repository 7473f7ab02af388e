using MassTransit;
using StatusPlatform.Contracts;
using StatusPlatform.EventSourcing;
using StatusPlatform.Incident.Commands;

namespace StatusPlatform.Incident.Page;

/// <summary>
/// The page settings and branding written through the admin API (src/Contracts/MonitorCommands.cs). From the first
/// accepted command on, the page is the admin API's and the configuration file's page section is skipped (CatalogApplier).
/// </summary>
public sealed class PageCommandsConsumer(EventStore store, TimeProvider time, ILogger<PageCommandsConsumer> logger)
    : CommandConsumer(store, logger), IConsumer<UpdatePageSettings>
{
    public Task Consume(ConsumeContext<UpdatePageSettings> context) => AnswerAsync(context, async ct =>
    {
        var command = context.Message;
        var page = await Store.AggregateStreamAsync<StatusPage>(StatusPage.StreamId, ct: ct);
        if (command.ExpectedVersion is { } expected && expected != (page?.Version ?? 0))
            return new CommandConflict(page?.State.Settings.PageId ?? PageDecisions.DefaultPageId, expected, page?.Version ?? 0);
        var (errors, configured) = PageDecisions.Update(page?.State, command, time.GetUtcNow());
        if (errors.Count > 0)
            return Refused(errors);
        if (configured is null)
            return new CommandAccepted(page!.State.Settings.PageId, page.Version);
        var version = await Store.AppendAsync(StatusPage.StreamId, page is null ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(page.Version),
            [configured], Actor(command.Actor), ct);
        return new CommandAccepted(configured.Settings.PageId, version);
    });
}
