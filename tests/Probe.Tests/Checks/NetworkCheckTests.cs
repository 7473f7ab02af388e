using System.Net;
using System.Net.Sockets;
using StatusPlatform.Contracts;
using StatusPlatform.Probe.Checks;
using StatusPlatform.Probe.Tests.Checks.Targets;
using static StatusPlatform.Probe.Tests.Checks.HttpCheckTests;

namespace StatusPlatform.Probe.Tests.Checks;

/// <summary>TCP connect, DNS resolution and ICMP ping against 127.0.0.1, localhost and names that never resolve.</summary>
public sealed class NetworkCheckTests
{
    // RFC 6761: names under .invalid never resolve.
    private const string Nowhere = "statusplatform-probe-test.invalid";

    [Fact]
    public async Task A_tcp_port_that_accepts_is_up_with_connect_timing()
    {
        using var listener = new SilentListener();

        var result = await RunAsync(Monitor("tcp", $"127.0.0.1:{listener.Port}"));

        Assert.Equal((CheckOutcome.Up, null, null), (result.Outcome, result.Failure, result.FailureReason));
        Assert.True(result.Timings is { DnsMs: null, ConnectMs: >= 0, TlsMs: null, FirstByteMs: null }, $"{result.Timings}");
        Assert.InRange(result.Timings.ConnectMs!.Value, 0, result.Timings.TotalMs);
        await Eventually(() => listener.Accepted == 1);
    }

    [Fact]
    public async Task A_tcp_port_on_localhost_is_resolved_first()
    {
        using var listener = new SilentListener();

        var result = await RunAsync(Monitor("tcp", $"localhost:{listener.Port}"));

        Assert.Equal(CheckOutcome.Up, result.Outcome);
        Assert.NotNull(result.Timings.DnsMs);
    }

    [Fact]
    public async Task A_tcp_port_nobody_listens_on_is_refused()
    {
        var port = FreePort();

        var result = await RunAsync(Monitor("tcp", $"127.0.0.1:{port}"));

        Assert.Equal((CheckOutcome.Down, FailureKind.Refused, $"Connection refused by 127.0.0.1:{port}"), (result.Outcome, result.Failure, result.FailureReason));
    }

    [Fact]
    public async Task A_tcp_host_that_does_not_resolve_is_a_dns_failure()
    {
        var result = await RunAsync(Monitor("tcp", $"{Nowhere}:443"));

        Assert.Equal((CheckOutcome.Down, FailureKind.Dns, $"DNS: cannot resolve {Nowhere}"), (result.Outcome, result.Failure, result.FailureReason));
    }

    [Fact]
    public async Task A_name_that_resolves_is_up_with_its_lookup_time()
    {
        var result = await RunAsync(Monitor("dns", "localhost"));

        Assert.Equal(CheckOutcome.Up, result.Outcome);
        Assert.InRange(result.Timings.DnsMs!.Value, 0, result.Timings.TotalMs);
    }

    [Fact]
    public async Task A_name_must_resolve_to_every_expected_address()
    {
        var expected = await RunAsync(Monitor("dns", "localhost", new CheckSettings(ExpectedAddresses: ["127.0.0.1"])));
        var other = await RunAsync(Monitor("dns", "localhost", new CheckSettings(ExpectedAddresses: ["127.0.0.1", "192.0.2.7"])));

        Assert.Equal(CheckOutcome.Up, expected.Outcome);
        Assert.Equal((CheckOutcome.Down, FailureKind.Assertion), (other.Outcome, other.Failure));
        Assert.Matches(@"^DNS: localhost resolved to [0-9a-f:., ]*127\.0\.0\.1[0-9a-f:., ]*; expected 192\.0\.2\.7 is missing$", other.FailureReason);
    }

    [Fact]
    public async Task A_name_that_does_not_resolve_is_a_dns_failure_with_the_resolver_error()
    {
        var result = await RunAsync(Monitor("dns", Nowhere));

        Assert.Equal((CheckOutcome.Down, FailureKind.Dns), (result.Outcome, result.Failure));
        Assert.StartsWith($"DNS: cannot resolve {Nowhere} (", result.FailureReason);
    }

    [Fact]
    public async Task Icmp_ping_to_the_loopback_address_is_up()
    {
        // As root .NET opens a raw ICMP socket itself; see IcmpCheck for what happens without the privilege.
        var result = await RunAsync(Monitor("icmp", "127.0.0.1"));

        Assert.Equal((CheckOutcome.Up, null), (result.Outcome, result.FailureReason));
        Assert.InRange(result.Timings.TotalMs, 0, 1000);
    }

    [Fact]
    public async Task Icmp_ping_to_a_name_that_does_not_resolve_is_a_dns_failure()
    {
        var result = await RunAsync(Monitor("icmp", Nowhere));

        Assert.Equal((CheckOutcome.Down, FailureKind.Dns, $"DNS: cannot resolve {Nowhere}"), (result.Outcome, result.Failure, result.FailureReason));
    }

    internal static MonitorDefinition Monitor(string kind, string target, CheckSettings? check = null, int timeoutSeconds = 2) =>
        new("m", "c", kind, target, "", 10, timeoutSeconds, [], check);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Task Eventually(Func<bool> condition) =>
        TestSupport.Eventually.Until(() => Task.FromResult(condition()), TimeSpan.FromSeconds(5), "the listener to see the connection");
}
