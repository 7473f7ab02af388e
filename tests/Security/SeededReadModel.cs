using System.Text;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Security;

/// <summary>
/// A database with Incident.Service's read-model schemas and what StatusApi's public endpoints need to answer: a page, one
/// component, and a heartbeat and a Grafana monitor stored as the projection stores them (the token's SHA-256, never the token).
/// </summary>
internal static class SeededReadModel
{
    public static async Task<TestDatabase> CreateAsync(string heartbeatToken, string webhookToken)
    {
        var database = await TestDatabase.CreateAsync();
        foreach (var schema in new[] { "status-schema.sql", "checks-schema.sql" })
        {
            await using var command = database.DataSource.CreateCommand(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, schema)));
            await command.ExecuteNonQueryAsync();
        }
        await using (var command = database.DataSource.CreateCommand("""
            insert into status.page (id, name, url, time_zone, updated_at) values ('p1', 'Page', 'http://status.test', 'Etc/UTC', now());
            insert into status.components (id, name, status, created_at, updated_at, position) values ('web', 'Website', 'operational', now(), now(), 1);
            """))
            await command.ExecuteNonQueryAsync();
        foreach (var (token, monitor, kind) in new[] { (heartbeatToken, "nightly-job", "heartbeat"), (webhookToken, "grafana-alerts", "grafana") })
        {
            await using var command = database.DataSource.CreateCommand(
                "insert into status.heartbeat_monitors (token_sha256, monitor_id, kind) values (encode(sha256($1), 'hex'), $2, $3)");
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = Encoding.UTF8.GetBytes(token) });
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = monitor });
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = kind });
            await command.ExecuteNonQueryAsync();
        }
        return database;
    }
}
