using System.Text;
using StatusPlatform.Notify.Security;

namespace StatusPlatform.Notify.Tests.Security;

/// <summary>Signed subscriber tokens: what they let through and what they refuse. No I/O.</summary>
public sealed class SubscriberTokensTests
{
    private readonly ManualClock _clock = new(new DateTimeOffset(2025, 3, 4, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void A_token_names_its_subscriber_for_its_purpose_only()
    {
        var tokens = Tokens();
        var id = Guid.NewGuid();
        var token = tokens.Issue(TokenPurpose.Manage, id);

        Assert.Equal(TokenProblem.None, tokens.TryRead(token, TokenPurpose.Manage, out var read));
        Assert.Equal(id, read);
        Assert.Equal(TokenProblem.Invalid, tokens.TryRead(token, TokenPurpose.Unsubscribe, out _));
        Assert.Equal(TokenProblem.Invalid, tokens.TryRead(token, TokenPurpose.Confirm, out _));
    }

    [Fact]
    public void Every_changed_character_is_refused()
    {
        var tokens = Tokens();
        var token = tokens.Issue(TokenPurpose.Unsubscribe, Guid.NewGuid());

        for (var i = 0; i < token.Length; i++)
        {
            if (token[i] == '.')
                continue;
            var tampered = new StringBuilder(token) { [i] = token[i] == 'A' ? 'B' : 'A' }.ToString();
            Assert.NotEqual(TokenProblem.None, tokens.TryRead(tampered, TokenPurpose.Unsubscribe, out _));
        }
        Assert.Equal(TokenProblem.Invalid, tokens.TryRead(token + "A", TokenPurpose.Unsubscribe, out _));
        Assert.Equal(TokenProblem.Invalid, tokens.TryRead("", TokenPurpose.Unsubscribe, out _));
        Assert.Equal(TokenProblem.Invalid, tokens.TryRead(null, TokenPurpose.Unsubscribe, out _));
    }

    [Fact]
    public void A_token_of_another_key_is_refused()
    {
        var token = Tokens("another-key-another-key-another-key-!").Issue(TokenPurpose.Manage, Guid.NewGuid());

        Assert.Equal(TokenProblem.Invalid, Tokens().TryRead(token, TokenPurpose.Manage, out _));
    }

    [Fact]
    public void A_confirmation_token_expires()
    {
        var tokens = Tokens();
        var token = tokens.Issue(TokenPurpose.Confirm, Guid.NewGuid(), _clock.GetUtcNow().AddHours(48));

        _clock.Now = _clock.Now.AddHours(47);
        Assert.Equal(TokenProblem.None, tokens.TryRead(token, TokenPurpose.Confirm, out _));
        _clock.Now = _clock.Now.AddHours(2);
        Assert.Equal(TokenProblem.Expired, tokens.TryRead(token, TokenPurpose.Confirm, out _));
    }

    [Fact]
    public void The_webhook_signature_is_hmac_sha256_over_timestamp_dot_body()
    {
        var signature = SubscriberTokens.WebhookSignature("secret", 1700000000, "{\"a\":1}");

        // Computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
        Assert.Equal("t=1700000000,v1=" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            Encoding.UTF8.GetBytes("secret"), Encoding.UTF8.GetBytes("1700000000.{\"a\":1}"))), signature);
        Assert.StartsWith("t=1700000000,v1=", signature);
        Assert.Equal(64, signature.Split("v1=")[1].Length);
    }

    private SubscriberTokens Tokens(string key = "test-signing-key-of-at-least-32-characters")
    {
        var tokens = new SubscriberTokens(_clock);
        tokens.UseKey(Encoding.UTF8.GetBytes(key));
        return tokens;
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
