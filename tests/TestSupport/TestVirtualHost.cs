using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

namespace StatusPlatform.TestSupport;

/// <summary>A RabbitMQ virtual host of its own for one fixture, created and deleted through the management API.</summary>
public sealed class TestVirtualHost : IAsyncDisposable
{
    private readonly HttpClient _management;

    private TestVirtualHost(string name, HttpClient management, Uri amqpUri)
    {
        Name = name;
        _management = management;
        AmqpUri = amqpUri;
    }

    public string Name { get; }

    /// <summary>The amqp:// URI of this virtual host, as the services read it from ConnectionStrings:messaging.</summary>
    public Uri AmqpUri { get; }

    public static async Task<TestVirtualHost> CreateAsync()
    {
        var baseUri = Infrastructure.MessagingUri;
        var userInfo = Uri.UnescapeDataString(baseUri.UserInfo);
        var user = userInfo.Split(':')[0];
        var management = new HttpClient { BaseAddress = Infrastructure.RabbitManagementUri };
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(userInfo)));

        var name = $"sp_test_{Guid.NewGuid():N}"[..24];
        (await management.PutAsJsonAsync($"api/vhosts/{name}", new { })).EnsureSuccessStatusCode();
        (await management.PutAsJsonAsync($"api/permissions/{name}/{Uri.EscapeDataString(user)}",
            new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
        var amqp = new UriBuilder(baseUri) { Path = "/" + name }.Uri;
        return new TestVirtualHost(name, management, amqp);
    }

    public async ValueTask DisposeAsync()
    {
        using (await _management.DeleteAsync(new Uri($"api/vhosts/{Name}", UriKind.Relative)))
        {
        }
        _management.Dispose();
    }
}
