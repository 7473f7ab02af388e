using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace StatusPlatform.Notify.Security;

/// <summary>What a token lets its holder do; part of the signed payload, so one kind never passes for another.</summary>
public enum TokenPurpose : byte
{
    Confirm = 1,
    Manage = 2,
    Unsubscribe = 3,
}

/// <summary>Why a token was refused; the same answer for every kind of forgery, so a prober learns nothing.</summary>
public enum TokenProblem
{
    None,
    Invalid,
    Expired,
}

/// <summary>
/// Signed subscriber tokens for the confirm, manage and unsubscribe links: purpose, subscriber id and expiry, with an
/// HMAC-SHA256 over them. Signed rather than random-and-stored because every message carries fresh links, and a
/// 256-bit MAC is as unguessable as a random token. The key comes from Notify:SigningKey or, when none is configured,
/// from the notify schema (generated at first start), and is set once the database is ready.
/// </summary>
public sealed class SubscriberTokens(TimeProvider clock)
{
    private const int PayloadLength = 1 + 16 + 8;
    private static readonly byte[] Domain = Encoding.ASCII.GetBytes("statusplatform-subscriber-token-v1");
    private byte[]? _key;

    public bool HasKey => _key is not null;

    public void UseKey(byte[] key)
    {
        if (key.Length < 32)
            throw new InvalidOperationException("The signing key must be at least 32 bytes.");
        _key = key;
    }

    /// <summary>A token for <paramref name="subscriberId"/>; without <paramref name="expiresAt"/> it does not expire.</summary>
    public string Issue(TokenPurpose purpose, Guid subscriberId, DateTimeOffset? expiresAt = null)
    {
        Span<byte> payload = stackalloc byte[PayloadLength];
        payload[0] = (byte)purpose;
        subscriberId.TryWriteBytes(payload[1..17]);
        BinaryPrimitives.WriteInt64BigEndian(payload[17..], expiresAt?.ToUnixTimeSeconds() ?? 0);
        return $"{Base64Url.EncodeToString(payload)}.{Base64Url.EncodeToString(Mac(payload))}";
    }

    public TokenProblem TryRead(string? token, TokenPurpose purpose, out Guid subscriberId)
    {
        subscriberId = Guid.Empty;
        var dot = token?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (token is null || dot < 0 || token.Length > 200)
            return TokenProblem.Invalid;
        Span<byte> payload = stackalloc byte[PayloadLength + 2];
        Span<byte> mac = stackalloc byte[34];
        int payloadLength, macLength;
        try
        {
            if (!Base64Url.TryDecodeFromChars(token.AsSpan(0, dot), payload, out payloadLength)
                || !Base64Url.TryDecodeFromChars(token.AsSpan(dot + 1), mac, out macLength))
                return TokenProblem.Invalid;
        }
        catch (FormatException)
        {
            // TryDecode still throws on characters outside the alphabet.
            return TokenProblem.Invalid;
        }
        if (payloadLength != PayloadLength || macLength != 32)
            return TokenProblem.Invalid;
        payload = payload[..PayloadLength];
        if (!CryptographicOperations.FixedTimeEquals(Mac(payload), mac[..32]) || payload[0] != (byte)purpose)
            return TokenProblem.Invalid;
        var expires = BinaryPrimitives.ReadInt64BigEndian(payload[17..]);
        if (expires != 0 && clock.GetUtcNow().ToUnixTimeSeconds() > expires)
            return TokenProblem.Expired;
        subscriberId = new Guid(payload[1..17]);
        return TokenProblem.None;
    }

    /// <summary>The per-subscriber secret that signs webhook requests: 256 random bits, hex.</summary>
    public static string NewWebhookSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>The X-StatusPlatform-Signature value: t=unix seconds, v1=hex HMAC-SHA256 over "t.body" with the subscriber's secret.</summary>
    public static string WebhookSignature(string secret, long unixSeconds, string body)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{unixSeconds}.{body}"));
        return $"t={unixSeconds},v1={Convert.ToHexStringLower(mac)}";
    }

    private byte[] Mac(ReadOnlySpan<byte> payload)
    {
        var key = _key ?? throw new InvalidOperationException("The signing key is not loaded yet (the notify schema is not ready).");
        var data = new byte[Domain.Length + payload.Length];
        Domain.CopyTo(data, 0);
        payload.CopyTo(data.AsSpan(Domain.Length));
        return HMACSHA256.HashData(key, data);
    }
}
