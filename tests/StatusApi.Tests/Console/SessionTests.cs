using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace StatusPlatform.StatusApi.Tests.Console;

/// <summary>
/// Sessions across instances and outages: the data-protection keys live in PostgreSQL, so a second StatusApi on the same
/// database accepts the first one's session cookie and antiforgery tokens; and when PostgreSQL cannot be reached the
/// console answers 503 with a page that says so, never 500.
/// </summary>
public sealed class SessionTests(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    [Fact]
    public async Task A_second_instance_on_the_same_database_accepts_the_first_one_s_session_and_forms()
    {
        var cookies = new CookieContainer();
        using var first = ConsoleHost.Browser(host.Factory, cookies);
        await first.SignInAsync(ConsoleHost.AdminName, ConsoleHost.AdminPassword, expect: HttpStatusCode.Redirect);
        var (_, dashboard) = await first.GetAsync("/console");
        var token = ConsoleBrowser.Token(dashboard);
        var cookie = cookies.GetCookies(new Uri("https://localhost/console"))["sp_console"]?.Value;

        await using var second = host.CreateInstance(host.Database.ConnectionString);
        using var other = ConsoleHost.Browser(second, cookies);
        var (page, html) = await other.GetAsync("/console");
        // A form the first instance rendered, sent to the second.
        using var signOut = await other.Client.PostAsync(new Uri("/console/sign-out", UriKind.Relative),
            new FormUrlEncodedContent([new("__csrf", token)]));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains($"{ConsoleHost.AdminName} (admin)", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.EndsWith("/console/sign-in", signOut.Headers.Location!.ToString(), StringComparison.Ordinal);
        // The key that protected the cookie is the one in the database (a payload starts with a 4-byte magic header and the key id).
        Assert.NotNull(cookie);
        var keyId = new Guid(Base64Url.DecodeFromChars(cookie).AsSpan(4, 16));
        Assert.Equal(1L, await host.ScalarAsync<long>("select count(*) from api.console_data_protection_keys where xml like $1", $"%id=\"{keyId}\"%"));
    }

    [Fact]
    public async Task Without_PostgreSQL_the_console_answers_503_with_a_page_that_says_so()
    {
        await using var proxy = await TcpProxy.StartAsync(new NpgsqlConnectionStringBuilder(host.Database.ConnectionString));
        var through = new NpgsqlConnectionStringBuilder(host.Database.ConnectionString) { Host = "127.0.0.1", Port = proxy.Port, Timeout = 3 };
        await using var instance = host.CreateInstance(through.ConnectionString);
        var cookies = new CookieContainer();
        using var browser = ConsoleHost.Browser(instance, cookies);
        await browser.SignInAsync(ConsoleHost.AdminName, ConsoleHost.AdminPassword, expect: HttpStatusCode.Redirect);
        var (before, dashboard) = await browser.GetAsync("/console");
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        await proxy.DisposeAsync();
        var (signedIn, html) = await browser.GetAsync("/console");
        using var form = await browser.Client.PostAsync(new Uri("/console/incidents", UriKind.Relative),
            new FormUrlEncodedContent([new("__csrf", ConsoleBrowser.Token(dashboard)), new("name", "During the outage"), new("action", "post")]));
        using var anonymous = ConsoleHost.Browser(instance, new CookieContainer());
        var (signIn, signInHtml) = await anonymous.GetAsync("/console/sign-in");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, signedIn.StatusCode);
        Assert.Contains("Database unavailable", html, StringComparison.Ordinal);
        Assert.Contains("PostgreSQL cannot be reached", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, form.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, signIn.StatusCode);
        Assert.Contains("PostgreSQL cannot be reached", signInHtml, StringComparison.Ordinal);
        Assert.DoesNotContain(host.IncidentService.Commands.OfType<Contracts.CreateIncident>(), c => c.Name == "During the outage");
    }

    /// <summary>A TCP relay to PostgreSQL that the test can cut: disposing it closes the listener and every relayed connection.</summary>
    private sealed class TcpProxy : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly List<TcpClient> _open = [];
        private readonly Task _accepting;

        private TcpProxy(string host, int port)
        {
            _listener.Start();
            _accepting = AcceptAsync(host, port);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static Task<TcpProxy> StartAsync(NpgsqlConnectionStringBuilder target) => Task.FromResult(new TcpProxy(target.Host!, target.Port));

        private async Task AcceptAsync(string host, int port)
        {
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    var server = new TcpClient();
                    await server.ConnectAsync(host, port, _stop.Token);
                    lock (_open)
                        _open.AddRange([client, server]);
                    _ = PumpAsync(client, server);
                    _ = PumpAsync(server, client);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }

        private async Task PumpAsync(TcpClient from, TcpClient to)
        {
            try
            {
                await from.GetStream().CopyToAsync(to.GetStream(), _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or InvalidOperationException)
            {
            }
            to.Close();
        }

        public async ValueTask DisposeAsync()
        {
            if (_stop.IsCancellationRequested)
                return;
            await _stop.CancelAsync();
            _listener.Stop();
            lock (_open)
            {
                foreach (var client in _open)
                    client.Close();
            }
            await _accepting;
            _stop.Dispose();
        }
    }
}
