using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using StatusPlatform.Contracts;
using StatusPlatform.Probe.Tests.Fixtures;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Probe.Tests.Checks;

/// <summary>What a probe publishes for a target that answers, fails, hangs or is not there.</summary>
public sealed class CheckOutcomeTests : BrokerAndTarget
{
    [Fact]
    public async Task An_up_target_is_reported_up_with_its_status_code_and_timings()
    {
        await StartProbeWithCatalogAsync(HttpMonitor("web", Target.Url("/web")));

        var check = (await ResultsAsync("web", 1, "a result for the up target"))[0].Message;

        Assert.Equal(CheckOutcome.Up, check.Outcome);
        Assert.Equal(200, check.StatusCode);
        Assert.Null(check.FailureReason);
        Assert.Equal(("test-region", "probe-1"), (check.Region, check.ProbeInstance));
        Assert.NotNull(check.Timings);
        Assert.InRange(check.Timings.TotalMs, 0.001, 1000);
        Assert.InRange(check.Timings.FirstByteMs!.Value, 0.001, check.Timings.TotalMs);
        Assert.Equal(check.Timings.TotalMs, check.DurationMs);
        Assert.InRange(check.StartedAt, DateTimeOffset.UtcNow.AddSeconds(-15), DateTimeOffset.UtcNow);
        Assert.Equal(1, Target.Requests("/web"));
    }

    [Fact]
    public async Task Every_check_opens_a_connection_of_its_own()
    {
        await StartProbeWithCatalogAsync(HttpMonitor("web", Target.Url("/web")));

        var checks = await ResultsAsync("web", 3, "three checks");

        // A kept-alive connection would let a server that accepts no new connections look up.
        Assert.Equal(Target.Requests("/web"), Target.Connections("/web"));
        Assert.True(checks.Count <= Target.Connections("/web"));
    }

    [Fact]
    public async Task A_target_that_starts_answering_503_is_reported_down_with_the_status_in_the_reason()
    {
        await StartProbeWithCatalogAsync(HttpMonitor("web", Target.Url("/web")));
        await ResultsAsync("web", 1, "a first result while the target is up");

        Target.Set("/web", TargetMode.Failing);
        var down = await Eventually.Until(() => Task.FromResult(Bus.ResultsFor("web") is { Count: > 0 } all ? all[^1].Message : null),
            c => c?.Outcome == CheckOutcome.Down, TimeSpan.FromSeconds(10), "a Down result after the target failed");

        Assert.Equal(503, down!.StatusCode);
        Assert.Equal("HTTP 503 Service Unavailable", down.FailureReason);
        Assert.NotNull(down.Timings?.FirstByteMs);
    }

    [Fact]
    public async Task A_target_that_hangs_past_the_timeout_is_reported_down_with_a_timeout_reason()
    {
        Target.Set("/slow", TargetMode.Hanging);
        await StartProbeWithCatalogAsync(HttpMonitor("slow", Target.Url("/slow"), intervalSeconds: 2, timeoutSeconds: 1));

        var check = (await ResultsAsync("slow", 1, "a result for the hanging target"))[0].Message;

        Assert.Equal(CheckOutcome.Down, check.Outcome);
        Assert.Null(check.StatusCode);
        Assert.Equal("Timeout: no response within 1 s", check.FailureReason);
        Assert.InRange(check.DurationMs, 950, 1900);
        Assert.Null(check.Timings?.FirstByteMs);
    }

    [Fact]
    public async Task A_port_nobody_listens_on_is_reported_down_with_a_refused_reason()
    {
        var port = RefusedPort();
        await StartProbeWithCatalogAsync(HttpMonitor("gone", $"http://127.0.0.1:{port}/"));

        var check = (await ResultsAsync("gone", 1, "a result for the refused port"))[0].Message;

        Assert.Equal(CheckOutcome.Down, check.Outcome);
        Assert.Null(check.StatusCode);
        Assert.Equal($"Connection refused by 127.0.0.1:{port}", check.FailureReason);
    }

    [Fact]
    public async Task A_host_name_that_does_not_resolve_is_reported_down_with_a_dns_reason()
    {
        // RFC 6761: names under .invalid never resolve.
        await StartProbeWithCatalogAsync(HttpMonitor("nowhere", "http://statusplatform-probe-test.invalid/", timeoutSeconds: 5));

        var check = (await ResultsAsync("nowhere", 1, "a result for the unresolvable host"))[0].Message;

        Assert.Equal(CheckOutcome.Down, check.Outcome);
        Assert.Equal("DNS: cannot resolve statusplatform-probe-test.invalid", check.FailureReason);
    }

    [Fact]
    public async Task A_certificate_the_probe_does_not_trust_is_reported_down_with_a_tls_reason()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        await using var tlsTarget = await TargetServer.StartAsync(certificate);
        await StartProbeWithCatalogAsync(HttpMonitor("tls", tlsTarget.Url("/")));

        var check = (await ResultsAsync("tls", 1, "a result for the untrusted certificate"))[0].Message;

        Assert.Equal(CheckOutcome.Down, check.Outcome);
        Assert.StartsWith("TLS handshake with 127.0.0.1 failed: ", check.FailureReason);
        Assert.Contains("certificate", check.FailureReason, StringComparison.OrdinalIgnoreCase);
    }
}
