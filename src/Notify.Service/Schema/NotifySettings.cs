using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace StatusPlatform.Notify.Schema;

/// <summary>Start-up state kept in the notify schema: the generated signing key and the ops room subscriber.</summary>
public static class NotifySettings
{
    /// <summary>
    /// The key that signs subscriber links: Notify:SigningKey when configured, else one generated at the first start
    /// and kept in notify.settings, so links in mail already sent keep working after a restart and on every instance.
    /// </summary>
    public static async Task<byte[]> SigningKeyAsync(NpgsqlDataSource dataSource, string? configured, CancellationToken ct)
    {
        if (!string.IsNullOrEmpty(configured))
            return Encoding.UTF8.GetBytes(configured);
        await using var command = dataSource.CreateCommand("""
            with generated as (
                insert into notify.settings (name, value) values ('signing_key', $1) on conflict (name) do nothing returning value)
            select value from generated union all select value from notify.settings where name = 'signing_key' limit 1
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });
        return Convert.FromBase64String((string)(await command.ExecuteScalarAsync(ct))!);
    }

    /// <summary>Keeps the one ops-room subscriber in step with Notify:OpsRoom (removed as a recipient when unset).</summary>
    public static async Task ApplyOpsRoomAsync(NpgsqlDataSource dataSource, OpsRoomOptions room, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(room.Enabled
            ? """
              insert into notify.subscribers (source, channel, endpoint, confirmed, confirmed_at, scope)
              values ('ops-room', $1, $2, true, now(), 'page')
              on conflict (source) where source = 'ops-room'
              do update set channel = excluded.channel, endpoint = excluded.endpoint, unsubscribed_at = null, quarantined_at = null
              """
            : "update notify.subscribers set unsubscribed_at = now() where source = 'ops-room' and unsubscribed_at is null");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = room.Platform });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = room.Url ?? "" });
        await command.ExecuteNonQueryAsync(ct);
    }
}
