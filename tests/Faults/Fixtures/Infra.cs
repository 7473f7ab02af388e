using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Faults.Fixtures;

/// <summary>
/// One PostgreSQL server and one RabbitMQ node (with its management API): the shared ones of scripts/infra.sh, or the
/// private ones of fault-infra.sh that the restart tests may stop. Hands out a database and a virtual host per test.
/// </summary>
public sealed class Infra
{
    private const string Credentials = "statusplatform:statusplatform";

    private Infra(string postgres, Uri amqp, Uri management)
    {
        PostgresConnectionString = postgres;
        AmqpUri = amqp;
        Management = new HttpClient { BaseAddress = management };
        var userInfo = Uri.UnescapeDataString(amqp.UserInfo);
        Management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(userInfo)));
        User = userInfo.Split(':')[0];
    }

    public static Infra Shared { get; } = new(Infrastructure.PostgresConnectionString, Infrastructure.MessagingUri, Infrastructure.RabbitManagementUri);

    public static Infra Private { get; } = new(
        "Host=127.0.0.1;Port=5433;Database=postgres;Username=statusplatform;Password=statusplatform",
        new Uri($"amqp://{Credentials}@127.0.0.1:5673/"), new Uri("http://127.0.0.1:15673/"));

    public string PostgresConnectionString { get; }

    public Uri AmqpUri { get; }

    public HttpClient Management { get; }

    private string User { get; }

    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"sp_test_{Guid.NewGuid():N}"[..24];
        await using (var admin = NpgsqlDataSource.Create(PostgresConnectionString))
        await using (var command = admin.CreateCommand($"create database {name}"))
            await command.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(PostgresConnectionString) { Database = name }.ConnectionString;
    }

    public async Task DropDatabaseAsync(string connectionString)
    {
        NpgsqlConnection.ClearAllPools();
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var admin = NpgsqlDataSource.Create(PostgresConnectionString);
        await using var command = admin.CreateCommand($"drop database if exists {name} with (force)");
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await command.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ObjectInUse && attempt < 50)
            {
                await Task.Delay(100); // an autovacuum worker may still be in it
            }
        }
    }

    /// <summary>Creates a virtual host and returns its amqp:// URI.</summary>
    public async Task<Uri> CreateVirtualHostAsync()
    {
        var name = $"sp_test_{Guid.NewGuid():N}"[..24];
        (await Management.PutAsJsonAsync($"api/vhosts/{name}", new { })).EnsureSuccessStatusCode();
        (await Management.PutAsJsonAsync($"api/permissions/{name}/{Uri.EscapeDataString(User)}",
            new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
        return new UriBuilder(AmqpUri) { Path = "/" + name }.Uri;
    }

    public async Task DeleteVirtualHostAsync(Uri amqp)
    {
        using (await Management.DeleteAsync(new Uri($"api/vhosts/{VirtualHostOf(amqp)}", UriKind.Relative)))
        {
        }
    }

    /// <summary>Every queue of the virtual host with the number of messages it holds (ready and unacknowledged).</summary>
    public async Task<Dictionary<string, long>> QueuesAsync(Uri amqp)
    {
        var queues = await Management.GetFromJsonAsync<JsonElement>(new Uri($"api/queues/{VirtualHostOf(amqp)}", UriKind.Relative));
        return queues.EnumerateArray().ToDictionary(q => q.GetProperty("name").GetString()!,
            q => q.TryGetProperty("messages", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt64() : 0);
    }

    /// <summary>Looks at up to <paramref name="count"/> messages of a queue without taking them (they are requeued).</summary>
    public async Task<List<JsonElement>> PeekAsync(Uri amqp, string queue, int count)
    {
        using var response = await Management.PostAsJsonAsync($"api/queues/{VirtualHostOf(amqp)}/{Uri.EscapeDataString(queue)}/get",
            new { count, ackmode = "ack_requeue_true", encoding = "auto" });
        response.EnsureSuccessStatusCode();
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray()];
    }

    /// <summary>Puts raw bytes on a queue through the default exchange, as a broken or hostile publisher would.</summary>
    public async Task PublishRawAsync(Uri amqp, string queue, string payload, string contentType, string? messageId = null)
    {
        var properties = new Dictionary<string, object> { ["content_type"] = contentType, ["delivery_mode"] = 2 };
        if (messageId is not null)
            properties["message_id"] = messageId;
        using var response = await Management.PostAsJsonAsync($"api/exchanges/{VirtualHostOf(amqp)}/amq.default/publish",
            new { properties, routing_key = queue, payload, payload_encoding = "string" });
        response.EnsureSuccessStatusCode();
        var routed = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (!routed.GetProperty("routed").GetBoolean())
            throw new InvalidOperationException($"Queue {queue} does not exist; nothing was published.");
    }

    private static string VirtualHostOf(Uri amqp) => Uri.EscapeDataString(amqp.AbsolutePath.TrimStart('/'));
}
