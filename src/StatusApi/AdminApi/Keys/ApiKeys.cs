using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace StatusPlatform.StatusApi.AdminApi.Keys;

/// <summary>What a key may do: viewer reads, responder also writes incidents (and maintenance, later), admin everything.</summary>
public static class ApiRole
{
    public const string Admin = "admin";
    public const string Responder = "responder";
    public const string Viewer = "viewer";

    public static readonly string[] All = [Admin, Responder, Viewer];
}

/// <summary>The holder of a key as a request sees it; <see cref="Name"/> is the actor of the commands it sends.</summary>
public sealed record ApiKeyHolder(string Id, string Name, string Role, byte[] KeyHash);

/// <summary>A stored key, never with the key itself.</summary>
public sealed record ApiKeyRow(
    string Id, string Name, string Role, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt);

/// <summary>
/// API keys in api.keys, and the bootstrap key from configuration. Keys are 32 random bytes, so SHA-256 is the right
/// hash: a slow password hash (PBKDF2, Argon2) protects guessable secrets, and guessing 256 random bits is hopeless
/// however fast the hash; a fast one keeps authenticating every request cheap.
/// </summary>
public sealed class ApiKeys(NpgsqlDataSource dataSource, AdminApiOptions options, TimeProvider time)
{
    public const string BootstrapName = "bootstrap";
    private const string Prefix = "sp_";
    private const string IdAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    // last_used_at is a hint for spotting unused keys, not an audit log: one write a minute per key is enough.
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    private readonly byte[]? _bootstrapHash = options.BootstrapKey is { } key ? Hash(key.Trim()) : null;

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>The key's holder, or null for an unknown or revoked key. Throws NpgsqlException when the database is away.</summary>
    public async Task<ApiKeyHolder?> AuthenticateAsync(string key, CancellationToken ct)
    {
        var hash = Hash(key);
        // Constant time, so response timing says nothing about how much of a guess matched.
        if (_bootstrapHash is not null && CryptographicOperations.FixedTimeEquals(hash, _bootstrapHash))
            return new ApiKeyHolder(BootstrapName, BootstrapName, ApiRole.Admin, hash);

        await using var command = dataSource.CreateCommand(
            "select id, name, role, key_sha256, last_used_at from api.keys where key_sha256 = $1 and revoked_at is null");
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = hash });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
            return null;
        var holder = new ApiKeyHolder(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<byte[]>(3));
        var lastUsed = reader.IsDBNull(4) ? (DateTimeOffset?)null : reader.GetFieldValue<DateTimeOffset>(4);
        await reader.DisposeAsync();
        // The index found the row by hash; comparing again in constant time keeps the check itself timing-safe.
        if (!CryptographicOperations.FixedTimeEquals(hash, holder.KeyHash))
            return null;
        var now = time.GetUtcNow();
        if (lastUsed is null || now - lastUsed >= LastUsedResolution)
            await ExecuteAsync("update api.keys set last_used_at = $2 where id = $1", ct, holder.Id, now);
        return holder;
    }

    /// <summary>A new key: the row, and the key itself, which exists nowhere else once the answer is sent.</summary>
    public async Task<(ApiKeyRow Row, string Key)?> CreateAsync(string name, string role, string createdBy, CancellationToken ct)
    {
        var key = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var row = new ApiKeyRow(RandomNumberGenerator.GetString(IdAlphabet, 12), name, role, time.GetUtcNow(), createdBy, null, null);
        try
        {
            await ExecuteAsync("insert into api.keys (id, name, role, key_sha256, created_at, created_by) values ($1, $2, $3, $4, $5, $6)",
                ct, row.Id, row.Name, row.Role, Hash(key), row.CreatedAt, row.CreatedBy);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "keys_active_name")
        {
            return null;
        }
        return (row, key);
    }

    public async Task<IReadOnlyList<ApiKeyRow>> ListAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "select id, name, role, created_at, created_by, revoked_at, last_used_at from api.keys order by created_at, id");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<ApiKeyRow>();
        while (await reader.ReadAsync(ct))
            rows.Add(Read(reader));
        return rows;
    }

    /// <summary>Revokes the key (a second revoke keeps the first time); null when there is no such key.</summary>
    public async Task<ApiKeyRow?> RevokeAsync(string id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            update api.keys set revoked_at = coalesce(revoked_at, $2) where id = $1
            returning id, name, role, created_at, created_by, revoked_at, last_used_at
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = id });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = time.GetUtcNow() });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    private static ApiKeyRow Read(NpgsqlDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3), reader.GetString(4),
        reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5), reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private async Task ExecuteAsync(string sql, CancellationToken ct, params object[] values)
    {
        await using var command = dataSource.CreateCommand(sql);
        foreach (var value in values)
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        await command.ExecuteNonQueryAsync(ct);
    }
}
