using MassTransit;
using Npgsql;
using StatusPlatform.Contracts;
using StatusPlatform.EventSourcing;
using StatusPlatform.EventSourcing.Subscriptions;
using StatusPlatform.Incident.Commands;
using StatusPlatform.Incident.Storage;

namespace StatusPlatform.Incident.Templates;

public sealed record IncidentTemplateSaved(string TemplateId, string Name, string Title, string Body, string Status, DateTimeOffset SavedAt);
public sealed record IncidentTemplateDeleted(string TemplateId, DateTimeOffset DeletedAt);

/// <summary>A canned incident message. Placeholders ({component}, {components}, {page}) are filled in by whoever uses it.</summary>
public sealed record IncidentTemplate(IncidentTemplateSaved Saved, bool Deleted)
{
    public static string StreamId(string templateId) => $"template-{templateId}";

    public static IncidentTemplate Create(IncidentTemplateSaved e) => new(e, false);

    public IncidentTemplate Apply(IncidentTemplateSaved e) => new(e, false);

    public IncidentTemplate Apply(IncidentTemplateDeleted e) => this with { Deleted = true };

    private static readonly string[] Statuses = [IncidentStatus.Investigating, IncidentStatus.Identified, IncidentStatus.Monitoring, IncidentStatus.Resolved];

    public static Dictionary<string, string[]> Validate(SaveIncidentTemplate command)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(command.Name) || command.Name.Length > 255)
            errors["name"] = ["is required, at most 255 characters"];
        if (string.IsNullOrWhiteSpace(command.Title) || command.Title.Length > 255)
            errors["title"] = ["is required, at most 255 characters"];
        if (command.Body is null || command.Body.Length > 25_000)
            errors["body"] = ["is required, at most 25000 characters"];
        if (!Statuses.Contains(command.Status))
            errors["status"] = [$"'{command.Status}' is not one of {string.Join(", ", Statuses)}"];
        return errors;
    }
}

/// <summary>Saves and deletes incident templates (src/Contracts/ComponentCommands.cs).</summary>
public sealed class IncidentTemplateCommandsConsumer(EventStore store, TimeProvider time, ILogger<IncidentTemplateCommandsConsumer> logger)
    : CommandConsumer(store, logger), IConsumer<SaveIncidentTemplate>, IConsumer<DeleteIncidentTemplate>
{
    public Task Consume(ConsumeContext<SaveIncidentTemplate> context) => AnswerAsync(context, async ct =>
    {
        var command = context.Message;
        var errors = IncidentTemplate.Validate(command);
        if (errors.Count > 0)
            return Refused(errors);
        var id = command.TemplateId ?? DerivedId(context, "template");
        var current = await Store.AggregateStreamAsync<IncidentTemplate>(IncidentTemplate.StreamId(id), ct: ct);
        if (command.ExpectedVersion is { } expected && expected != (current?.Version ?? 0))
            return new CommandConflict(id, expected, current?.Version ?? 0);
        var saved = new IncidentTemplateSaved(id, command.Name.Trim(), command.Title.Trim(), command.Body, command.Status, time.GetUtcNow());
        if (current is { State.Deleted: false } && current.State.Saved with { SavedAt = saved.SavedAt } == saved)
            return new CommandAccepted(id, current.Version); // unchanged, or the same request again
        var version = await Store.AppendAsync(IncidentTemplate.StreamId(id), current is null ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(current.Version),
            [saved], Actor(command.Actor), ct);
        return new CommandAccepted(id, version);
    });

    public Task Consume(ConsumeContext<DeleteIncidentTemplate> context) => AnswerAsync(context, async ct =>
    {
        var command = context.Message;
        if (await Store.AggregateStreamAsync<IncidentTemplate>(IncidentTemplate.StreamId(command.TemplateId ?? ""), ct: ct) is not { State.Deleted: false } template)
            return NotFound("template", command.TemplateId);
        if (command.ExpectedVersion is { } expected && expected != template.Version)
            return new CommandConflict(command.TemplateId!, expected, template.Version);
        var version = await Store.AppendAsync(IncidentTemplate.StreamId(command.TemplateId!), ExpectedVersion.Exactly(template.Version),
            [new IncidentTemplateDeleted(command.TemplateId!, time.GetUtcNow())], Actor(command.Actor), ct);
        return new CommandAccepted(command.TemplateId!, version);
    });
}

/// <summary>Projects templates into status.incident_templates for the admin API and the console.</summary>
public sealed class IncidentTemplatesProjection : IProjection
{
    public string Name => "status.incident_templates";

    public async Task ApplyAsync(IReadOnlyList<StoredEvent> events, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        foreach (var e in events)
        {
            switch (e.Data)
            {
                case IncidentTemplateSaved s:
                    await ProjectionSql.ExecuteAsync(connection, transaction, """
                        insert into status.incident_templates (id, name, title, body, status, updated_at, version) values (@id, @name, @title, @body, @status, @at, @version)
                        on conflict (id) do update set name = excluded.name, title = excluded.title, body = excluded.body, status = excluded.status,
                            updated_at = excluded.updated_at, version = excluded.version
                        """, [("id", s.TemplateId), ("name", s.Name), ("title", s.Title), ("body", s.Body), ("status", s.Status), ("at", s.SavedAt), ("version", e.Version)], ct);
                    break;
                case IncidentTemplateDeleted d:
                    await ProjectionSql.ExecuteAsync(connection, transaction, "delete from status.incident_templates where id = @id", [("id", d.TemplateId)], ct);
                    break;
            }
        }
    }
}
