using System.Security.Cryptography;
using Npgsql;

namespace StatusPlatform.StatusApi.Console.Users;

/// <summary>A console user as the pages show it, never with the password hash.</summary>
public sealed record ConsoleUser(
    string Id, string Username, string Role, string SecurityStamp, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? LastSignInAt,
    DateTimeOffset? LockedUntil, int FailedAttempts, DateTimeOffset? DisabledAt);

/// <summary>How a sign-in ended. Wrong name, wrong password and locked out look the same to the person signing in.</summary>
public abstract record SignInResult
{
    public sealed record Succeeded(ConsoleUser User) : SignInResult;

    public sealed record Failed : SignInResult;

    /// <summary>The account is locked until <see cref="Until"/>; the password was not even checked.</summary>
    public sealed record LockedOut(DateTimeOffset Until) : SignInResult;
}

/// <summary>
/// Console users in api.console_users: sign-in with lockout and backoff, the bootstrap admin from configuration,
/// creation, listing and disabling by an admin.
/// </summary>
public sealed class ConsoleUsers(NpgsqlDataSource dataSource, ConsoleOptions options, TimeProvider time)
{
    private const string Columns =
        "id, username, role, security_stamp, created_at, created_by, last_sign_in_at, locked_until, failed_attempts, disabled_at";
    private const string IdAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    // An unknown name is hashed against this too, so the time a failed sign-in takes does not tell names apart.
    private static readonly PasswordHash Decoy = new(new byte[32], new byte[16], ConsoleOptions.MinimumIterations);

    public async Task<SignInResult> SignInAsync(string username, string password, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"""
            select {Columns}, password_hash, password_salt, password_iterations from api.console_users where lower(username) = lower($1)
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = username });
        ConsoleUser? user = null;
        PasswordHash? stored = null;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            if (await reader.ReadAsync(ct))
            {
                user = Read(reader);
                stored = new PasswordHash(reader.GetFieldValue<byte[]>(10), reader.GetFieldValue<byte[]>(11), reader.GetInt32(12));
            }
        }
        var now = time.GetUtcNow();
        if (user is null || stored is null || user.DisabledAt is not null)
        {
            await PasswordHashing.VerifyAsync(password, Decoy, ct);
            return new SignInResult.Failed();
        }
        // A locked account is not checked at all: guessing on costs the guesser nothing but also learns nothing.
        if (user.LockedUntil is { } until && until > now)
            return new SignInResult.LockedOut(until);
        if (!await PasswordHashing.VerifyAsync(password, stored, ct))
        {
            await using var failed = dataSource.CreateCommand(
                "update api.console_users set failed_attempts = failed_attempts + 1 where id = $1 returning failed_attempts");
            failed.Parameters.Add(new NpgsqlParameter<string> { TypedValue = user.Id });
            var failures = (int)(await failed.ExecuteScalarAsync(ct))!;
            if (options.LockoutAfter(failures) is { } lockout)
                await ExecuteAsync("update api.console_users set locked_until = $2 where id = $1", ct, user.Id, now + lockout);
            return new SignInResult.Failed();
        }
        await ExecuteAsync("update api.console_users set failed_attempts = 0, locked_until = null, last_sign_in_at = $2 where id = $1", ct, user.Id, now);
        if (stored.Iterations < options.PasswordIterations)
        {
            var rehashed = await PasswordHashing.HashAsync(password, options.PasswordIterations, ct);
            await ExecuteAsync("update api.console_users set password_hash = $2, password_salt = $3, password_iterations = $4 where id = $1",
                ct, user.Id, rehashed.Hash, rehashed.Salt, rehashed.Iterations);
        }
        return new SignInResult.Succeeded(user with { LastSignInAt = now, FailedAttempts = 0, LockedUntil = null });
    }

    /// <summary>The user behind a session, or null when it is gone or disabled (the session then ends).</summary>
    public async Task<ConsoleUser?> FindAsync(string id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"select {Columns} from api.console_users where id = $1 and disabled_at is null");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = id });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    public async Task<IReadOnlyList<ConsoleUser>> ListAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"select {Columns} from api.console_users order by lower(username)");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var users = new List<ConsoleUser>();
        while (await reader.ReadAsync(ct))
            users.Add(Read(reader));
        return users;
    }

    /// <summary>A new user; null when the name is taken (names say who acted, so they are unique).</summary>
    public async Task<ConsoleUser?> CreateAsync(string username, string role, string password, string createdBy, CancellationToken ct)
    {
        var hash = await PasswordHashing.HashAsync(password, options.PasswordIterations, ct);
        var user = new ConsoleUser(RandomNumberGenerator.GetString(IdAlphabet, 12), username, role, NewStamp(), time.GetUtcNow(), createdBy, null, null, 0, null);
        try
        {
            await ExecuteAsync("""
                insert into api.console_users (id, username, role, password_hash, password_salt, password_iterations, security_stamp, created_at, created_by)
                values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                """, ct, user.Id, username, role, hash.Hash, hash.Salt, hash.Iterations, user.SecurityStamp, user.CreatedAt, createdBy);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return null;
        }
        return user;
    }

    /// <summary>Disables a user (their sessions end at their next request); the row stays as the record of who that actor was.</summary>
    public async Task<bool> DisableAsync(string id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "update api.console_users set disabled_at = coalesce(disabled_at, $2), security_stamp = $3 where id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = id });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = time.GetUtcNow() });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = NewStamp() });
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>
    /// Makes the configured bootstrap user an enabled admin with the configured password, inside the schema
    /// transaction. A stored hash that already matches is left alone, so a restart does not end its sessions.
    /// </summary>
    public async Task EnsureBootstrapAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        if (options.BootstrapUser is not { } username || options.BootstrapPassword is not { } password)
            return;
        await using (var select = new NpgsqlCommand("""
            select role, password_hash, password_salt, password_iterations, disabled_at is not null
            from api.console_users where lower(username) = lower($1)
            """, connection, transaction))
        {
            select.Parameters.Add(new NpgsqlParameter<string> { TypedValue = username });
            await using var reader = await select.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                var stored = new PasswordHash(reader.GetFieldValue<byte[]>(1), reader.GetFieldValue<byte[]>(2), reader.GetInt32(3));
                var current = reader.GetString(0) == AdminApi.Keys.ApiRole.Admin && !reader.GetBoolean(4);
                await reader.DisposeAsync();
                if (current && await PasswordHashing.VerifyAsync(password, stored, ct))
                    return;
            }
        }
        var hash = await PasswordHashing.HashAsync(password, options.PasswordIterations, ct);
        await using var upsert = new NpgsqlCommand("""
            insert into api.console_users (id, username, role, password_hash, password_salt, password_iterations, security_stamp, created_at, created_by)
            values ($1, $2, 'admin', $3, $4, $5, $6, $7, 'configuration')
            on conflict ((lower(username))) do update set role = 'admin', password_hash = excluded.password_hash,
                password_salt = excluded.password_salt, password_iterations = excluded.password_iterations,
                security_stamp = excluded.security_stamp, disabled_at = null, failed_attempts = 0, locked_until = null
            """, connection, transaction);
        foreach (var value in new object[] { RandomNumberGenerator.GetString(IdAlphabet, 12), username, hash.Hash, hash.Salt, hash.Iterations, NewStamp(), time.GetUtcNow() })
            upsert.Parameters.Add(new NpgsqlParameter { Value = value });
        await upsert.ExecuteNonQueryAsync(ct);
    }

    private static string NewStamp() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private static ConsoleUser Read(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetFieldValue<DateTimeOffset>(4), r.GetString(5),
        r.IsDBNull(6) ? null : r.GetFieldValue<DateTimeOffset>(6), r.IsDBNull(7) ? null : r.GetFieldValue<DateTimeOffset>(7), r.GetInt32(8),
        r.IsDBNull(9) ? null : r.GetFieldValue<DateTimeOffset>(9));

    private async Task ExecuteAsync(string sql, CancellationToken ct, params object[] values)
    {
        await using var command = dataSource.CreateCommand(sql);
        foreach (var value in values)
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        await command.ExecuteNonQueryAsync(ct);
    }
}
