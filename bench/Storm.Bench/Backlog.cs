using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace StatusPlatform.Storm.Bench;

/// <summary>
/// Messages waiting in the run's queues, from RabbitMQ's management API (its figures are refreshed every few seconds): a
/// fold that falls behind the probe shows here as results waiting on Incident.Service's check-completed queue.
/// </summary>
internal static class Backlog
{
    public static async Task<IReadOnlyDictionary<string, long>> ReadAsync(string vhost, CancellationToken ct)
    {
        var messaging = TestSupport.Infrastructure.MessagingUri;
        using var http = new HttpClient { BaseAddress = TestSupport.Infrastructure.RabbitManagementUri, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(messaging.UserInfo))));
        try
        {
            var queues = await http.GetFromJsonAsync<JsonArray>(new Uri($"api/queues/{Uri.EscapeDataString(vhost)}?columns=name,messages", UriKind.Relative), ct);
            return (queues ?? []).OfType<JsonObject>()
                .Select(q => (Name: q["name"]?.GetValue<string>() ?? "?", Messages: q["messages"]?.GetValue<long>() ?? 0))
                .Where(q => q.Messages > 0)
                .ToDictionary(q => q.Name, q => q.Messages);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return new Dictionary<string, long>();
        }
    }
}
