using Npgsql;

namespace StatusPlatform.StatusApi.AdminApi.Incidents;

/// <summary>A saved, unpublished postmortem text.</summary>
public sealed record PostmortemDraft(string Body, DateTimeOffset UpdatedAt, string UpdatedBy);

/// <summary>
/// Postmortem drafts in api.postmortem_drafts. Statuspage saves a draft (PUT …/postmortem) before publishing it; the draft is
/// an editor's working copy that no reader sees, so it stays with the admin API and only publishing is a command.
/// </summary>
public sealed class PostmortemDrafts(NpgsqlDataSource dataSource, TimeProvider time)
{
    public async Task<PostmortemDraft?> GetAsync(string incidentId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("select body, updated_at, updated_by from api.postmortem_drafts where incident_id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = incidentId });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new PostmortemDraft(reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2)) : null;
    }

    public async Task<PostmortemDraft> SaveAsync(string incidentId, string body, string actor, CancellationToken ct)
    {
        var draft = new PostmortemDraft(body, time.GetUtcNow(), actor);
        await using var command = dataSource.CreateCommand("""
            insert into api.postmortem_drafts (incident_id, body, updated_at, updated_by) values ($1, $2, $3, $4)
            on conflict (incident_id) do update set body = excluded.body, updated_at = excluded.updated_at, updated_by = excluded.updated_by
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = incidentId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = draft.Body });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = draft.UpdatedAt });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = draft.UpdatedBy });
        await command.ExecuteNonQueryAsync(ct);
        return draft;
    }
}
