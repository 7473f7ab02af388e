using StatusPlatform.Contracts;
using StatusPlatform.Probe.Checks;
using StatusPlatform.Probe.Tests.Checks.Targets;
using static StatusPlatform.Probe.Tests.Checks.HttpCheckTests;

namespace StatusPlatform.Probe.Tests.Checks;

/// <summary>HTTPS checks against Kestrel serving certificates made with openssl: verification, expiry conditions, TLS timings.</summary>
public sealed class HttpsCheckTests(TestCertificates certificates) : IClassFixture<TestCertificates>
{
    [Fact]
    public async Task A_self_signed_certificate_is_down_with_verification_on_and_accepted_with_it_off()
    {
        await using var target = await CheckTarget.StartAsync(certificates.Valid);

        var verified = await RunAsync(Http(target.Url("/text")));
        var unverified = await RunAsync(Http(target.Url("/text"), new CheckSettings(VerifyTls: false, KeywordPresent: "Welcome")));

        Assert.Equal((CheckOutcome.Down, FailureKind.Tls), (verified.Outcome, verified.Failure));
        Assert.Equal("TLS handshake with 127.0.0.1 failed: the certificate is not trusted: self-signed or issued by an unknown authority (UntrustedRoot)",
            verified.FailureReason);
        Assert.Equal((CheckOutcome.Up, 200), (unverified.Outcome, unverified.StatusCode));
        Assert.Single(target.Seen);
    }

    [Fact]
    public async Task An_expired_certificate_is_named_as_expired_with_its_date()
    {
        await using var target = await CheckTarget.StartAsync(certificates.Expired);

        var result = await RunAsync(Http(target.Url("/text")));

        Assert.Equal((CheckOutcome.Down, FailureKind.Tls), (result.Outcome, result.Failure));
        Assert.StartsWith("TLS handshake with 127.0.0.1 failed: the certificate expired on 2024-02-01 00:00 UTC (", result.FailureReason);
    }

    [Fact]
    public async Task Certificate_expiration_conditions_see_the_days_left()
    {
        await using var target = await CheckTarget.StartAsync(certificates.Valid);
        var condition = (string text) => new CheckSettings(VerifyTls: false, Conditions: [text]);

        var enough = await RunAsync(Http(target.Url("/text"), condition("[CERTIFICATE_EXPIRATION] > 72h")));
        var tooFew = await RunAsync(Http(target.Url("/text"), condition("[CERTIFICATE_EXPIRATION] > 60d")));

        Assert.Equal(CheckOutcome.Up, enough.Outcome);
        Assert.Equal((CheckOutcome.Down, FailureKind.Assertion), (tooFew.Outcome, tooFew.Failure));
        Assert.Matches(@"^Condition failed: \[CERTIFICATE_EXPIRATION\] > 60d \(actual: expires in 29d 23h\)$", tooFew.FailureReason);
    }

    [Fact]
    public async Task Timings_of_an_https_check_include_the_handshake_and_add_up()
    {
        await using var target = await CheckTarget.StartAsync(certificates.Valid);

        var result = await RunAsync(Http(target.LocalhostUrl("/text"), new CheckSettings(VerifyTls: false)));

        Assert.Equal(CheckOutcome.Up, result.Outcome);
        var timings = result.Timings;
        Assert.True(timings is { DnsMs: >= 0, ConnectMs: >= 0, TlsMs: > 0, FirstByteMs: > 0 }, $"{timings}");
        Assert.InRange(timings.DnsMs!.Value + timings.ConnectMs!.Value + timings.TlsMs!.Value, 0, timings.FirstByteMs!.Value);
        Assert.InRange(timings.FirstByteMs.Value, 0, timings.TotalMs);
    }

    [Fact]
    public async Task A_redirect_from_http_to_https_shakes_hands_on_the_second_hop()
    {
        await using var secure = await CheckTarget.StartAsync(certificates.Valid);
        await using var plain = await CheckTarget.StartAsync();
        var url = plain.Url($"/to?url={Uri.EscapeDataString(secure.Url("/redirect/0"))}");

        var redirected = await RunAsync(Http(url, new CheckSettings(VerifyTls: false, KeywordPresent: "arrived")));
        var notFollowed = await RunAsync(Http(url, new CheckSettings(FollowRedirects: false), expected: [302]));

        Assert.Equal(CheckOutcome.Up, redirected.Outcome);
        Assert.Equal("/redirect/0", Assert.Single(secure.Seen).Path);
        Assert.NotNull(redirected.Timings.TlsMs);
        Assert.Equal(CheckOutcome.Up, notFollowed.Outcome);
        Assert.Null(notFollowed.Timings.TlsMs);
    }
}
