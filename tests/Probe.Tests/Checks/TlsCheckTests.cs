using StatusPlatform.Contracts;
using StatusPlatform.Probe.Checks;
using StatusPlatform.Probe.Tests.Checks.Targets;
using static StatusPlatform.Probe.Tests.Checks.HttpCheckTests;
using static StatusPlatform.Probe.Tests.Checks.NetworkCheckTests;

namespace StatusPlatform.Probe.Tests.Checks;

/// <summary>The certificate expiry monitor against TLS servers with openssl-made certificates: valid, expiring soon, expired.</summary>
public sealed class TlsCheckTests(TestCertificates certificates) : IClassFixture<TestCertificates>
{
    [Fact]
    public async Task A_certificate_with_enough_days_left_is_up()
    {
        await using var target = await CheckTarget.StartAsync(certificates.Valid);

        var result = await RunAsync(Monitor("tls", $"localhost:{target.BaseUri.Port}", new CheckSettings(VerifyTls: false)));

        Assert.Equal((CheckOutcome.Up, null), (result.Outcome, result.FailureReason));
        Assert.True(result.Timings is { DnsMs: >= 0, ConnectMs: >= 0, TlsMs: > 0 }, $"{result.Timings}");
    }

    [Fact]
    public async Task A_certificate_with_fewer_days_left_than_the_threshold_is_degraded_naming_days_and_date()
    {
        await using var target = await CheckTarget.StartAsync(certificates.ExpiringSoon);

        var result = await RunAsync(Monitor("tls", $"127.0.0.1:{target.BaseUri.Port}", new CheckSettings(VerifyTls: false, CertificateMinDaysLeft: 14)));
        var relaxed = await RunAsync(Monitor("tls", $"127.0.0.1:{target.BaseUri.Port}", new CheckSettings(VerifyTls: false, CertificateMinDaysLeft: 3)));

        Assert.Equal((CheckOutcome.Degraded, null), (result.Outcome, result.Failure));
        Assert.Equal($"Certificate of 127.0.0.1:{target.BaseUri.Port} expires in 4 days, on {TlsFacts.Date(certificates.ExpiringSoon.NotAfter.ToUniversalTime())}, below the 14-day threshold",
            result.FailureReason);
        Assert.Equal(CheckOutcome.Up, relaxed.Outcome);
    }

    [Fact]
    public async Task An_expired_certificate_is_down_even_without_verification()
    {
        await using var target = await CheckTarget.StartAsync(certificates.Expired);

        var result = await RunAsync(Monitor("tls", $"127.0.0.1:{target.BaseUri.Port}", new CheckSettings(VerifyTls: false)));

        Assert.Equal((CheckOutcome.Down, FailureKind.Tls), (result.Outcome, result.Failure));
        Assert.Matches($@"^TLS 127\.0\.0\.1:{target.BaseUri.Port}: the certificate expired on 2024-02-01 00:00 UTC \(\d+ days ago\)$", result.FailureReason);
    }

    [Fact]
    public async Task An_untrusted_certificate_is_down_with_verification_on()
    {
        await using var target = await CheckTarget.StartAsync(certificates.Valid);

        var result = await RunAsync(Monitor("tls", $"localhost:{target.BaseUri.Port}"));

        Assert.Equal((CheckOutcome.Down, FailureKind.Tls), (result.Outcome, result.Failure));
        Assert.Equal($"TLS localhost:{target.BaseUri.Port}: the certificate is not trusted: self-signed or issued by an unknown authority (UntrustedRoot)",
            result.FailureReason);
    }

    [Fact]
    public async Task A_server_that_does_not_speak_tls_is_a_tls_failure()
    {
        await using var plain = await CheckTarget.StartAsync();

        var result = await RunAsync(Monitor("tls", $"127.0.0.1:{plain.BaseUri.Port}"));

        Assert.Equal((CheckOutcome.Down, FailureKind.Tls), (result.Outcome, result.Failure));
        Assert.StartsWith("TLS handshake with 127.0.0.1 failed: ", result.FailureReason);
    }

    [Fact]
    public async Task A_server_that_never_answers_the_handshake_is_a_tls_timeout()
    {
        using var silent = new SilentListener();

        var result = await RunAsync(Monitor("tls", $"127.0.0.1:{silent.Port}", timeoutSeconds: 1));

        Assert.Equal((CheckOutcome.Down, FailureKind.Timeout, "Timeout: TLS handshake with 127.0.0.1 did not finish within 1 s"),
            (result.Outcome, result.Failure, result.FailureReason));
    }
}
