using System.Globalization;
using System.Text.RegularExpressions;
using MassTransit;
using Microsoft.Extensions.Options;
using Npgsql;
using StatusPlatform.Contracts;
using StatusPlatform.Notify.Deliveries;
using StatusPlatform.Notify.Messages;
using StatusPlatform.Notify.Schema;

namespace StatusPlatform.Notify.Tickets;

/// <summary>
/// Keeps a JIRA issue per incident: created on the opening (assigned to the owner of its first owned component,
/// labelled, linking the incident page) and announced as <see cref="IncidentTicketCreated"/>; a comment per update;
/// a comment and the resolve transition on resolution. notify.tickets holds the key; notify.ticket_messages makes each
/// comment once per message. Creating is guarded by a label search, so a crash after JIRA created the issue but before
/// the key was recorded finds that issue instead of making a second one.
/// </summary>
public sealed partial class TicketConsumer(
    NotifyDatabase database,
    NpgsqlDataSource dataSource,
    JiraClient jira,
    LinkBuilder links,
    IOptions<JiraOptions> options,
    ILogger<TicketConsumer> logger)
    : IConsumer<IncidentOpened>, IConsumer<IncidentUpdated>, IConsumer<IncidentResolved>
{
    public const string Endpoint = "notify-tickets";

    private readonly JiraOptions _options = options.Value;

    public async Task Consume(ConsumeContext<IncidentOpened> context)
    {
        if (!_options.Enabled)
            return;
        var e = context.Message;
        var ct = context.CancellationToken;
        await database.WhenReadyAsync(ct);

        await using (var claim = dataSource.CreateCommand("""
            insert into notify.tickets (incident_id) values ($1) on conflict (incident_id) do nothing
            """))
        {
            claim.Parameters.Add(DeliveryLog.Text(e.IncidentId));
            await claim.ExecuteNonQueryAsync(ct);
        }
        if (await KeyOfAsync(e.IncidentId, ct) is { Length: > 0 })
            return; // a redelivery, or a second opening of the same incident

        var label = IncidentLabel(e.IncidentId);
        var key = await jira.FindByLabelAsync(label, ct);
        if (key is null)
        {
            var owner = e.Components.Select(c => _options.Owners.GetValueOrDefault(c.ComponentId)).FirstOrDefault(o => !string.IsNullOrWhiteSpace(o));
            var labels = new[] { "statusplatform", label }.Concat(_options.Labels)
                .Concat(e.Components.Select(c => $"component-{Sanitize(c.ComponentId)}")).Distinct(StringComparer.Ordinal).ToList();
            key = await jira.CreateIssueAsync($"[{e.Impact}] {e.Name}", Description(e), owner, labels, ct);
            logger.LogInformation("Created JIRA issue {Key} for incident {IncidentId}", key, e.IncidentId);
        }
        var url = jira.BrowseUrl(key);
        await using (var record = dataSource.CreateCommand("update notify.tickets set ticket_key = $2, url = $3 where incident_id = $1"))
        {
            record.Parameters.Add(DeliveryLog.Text(e.IncidentId));
            record.Parameters.Add(DeliveryLog.Text(key));
            record.Parameters.Add(DeliveryLog.Text(url));
            await record.ExecuteNonQueryAsync(ct);
        }
        await context.Publish(new IncidentTicketCreated(e.IncidentId, key, url), ct);
    }

    public Task Consume(ConsumeContext<IncidentUpdated> context) => OnTicketAsync(context, context.Message.IncidentId,
        (key, ct) => jira.CommentAsync(key, Comment(context.Message.Status, context.Message.Body, context.Message.Actor, context.Message.UpdatedAt), ct));

    public Task Consume(ConsumeContext<IncidentResolved> context) => OnTicketAsync(context, context.Message.IncidentId, async (key, ct) =>
    {
        await jira.CommentAsync(key, Comment(IncidentStatus.Resolved, context.Message.Body, context.Message.Actor, context.Message.ResolvedAt), ct);
        if (!string.IsNullOrWhiteSpace(_options.ResolveTransitionId))
            await jira.TransitionAsync(key, _options.ResolveTransitionId, ct);
    });

    /// <summary>Runs <paramref name="action"/> on the incident's issue once per message; the message id is recorded in the same transaction.</summary>
    private async Task OnTicketAsync<T>(ConsumeContext<T> context, string incidentId, Func<string, CancellationToken, Task> action)
        where T : class
    {
        if (!_options.Enabled)
            return;
        var ct = context.CancellationToken;
        await database.WhenReadyAsync(ct);
        var key = await KeyOfAsync(incidentId, ct);
        if (key is null)
            return; // no ticket for this incident (opened before tickets were configured)
        if (key.Length == 0)
            throw new InvalidOperationException($"The ticket of incident {incidentId} is still being created; the message is retried.");

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var seen = new NpgsqlCommand("insert into notify.ticket_messages (message_id) values ($1) on conflict do nothing", connection, tx))
        {
            seen.Parameters.Add(DeliveryLog.Id(context.MessageId ?? throw new InvalidOperationException("A message without a MessageId cannot be deduplicated.")));
            if (await seen.ExecuteNonQueryAsync(ct) == 0)
                return;
        }
        // If JIRA took the call but the commit fails, a redelivery comments again: at least once, as with email.
        await action(key, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>The ticket key of an incident: null without a ticket row, "" while it is being created.</summary>
    private async Task<string?> KeyOfAsync(string incidentId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("select coalesce(ticket_key, '') from notify.tickets where incident_id = $1");
        command.Parameters.Add(DeliveryLog.Text(incidentId));
        return await command.ExecuteScalarAsync(ct) as string;
    }

    private string Description(IncidentOpened e) =>
        $"""
        {e.Body}

        *Incident:* {links.Incident(e.IncidentId)}
        *Status:* {e.Status}, *impact:* {e.Impact}{(e.Automatic ? " (opened automatically by the monitors)" : "")}
        *Components:*
        {string.Join("\n", e.Components.Select(c => $"* {c.Name} ({c.ComponentId}): {c.Status}"))}
        *Opened:* {e.OpenedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)}
        """;

    private static string Comment(string status, string body, string actor, DateTimeOffset at) =>
        $"*{status}* ({at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)}{(string.IsNullOrEmpty(actor) ? "" : ", " + actor)}): {body}";

    public static string IncidentLabel(string incidentId) => $"incident-{Sanitize(incidentId)}";

    private static string Sanitize(string value) => NotLabel().Replace(value, "-");

    [GeneratedRegex("[^A-Za-z0-9_.-]")]
    private static partial Regex NotLabel();
}
