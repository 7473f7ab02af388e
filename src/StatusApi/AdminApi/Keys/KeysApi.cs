using Microsoft.AspNetCore.Http.HttpResults;
using static StatusPlatform.StatusApi.AdminApi.AdminHttp;

namespace StatusPlatform.StatusApi.AdminApi.Keys;

/// <summary>
/// API keys (admin keys only): create (the key is in that answer and nowhere else, ever), list (never with secrets),
/// revoke. A revoked key answers 401 from its next request on, on every replica: keys are checked against the database
/// on each request. The bootstrap key from configuration is not listed and cannot be revoked here.
/// </summary>
public static class KeysApi
{
    public const int MaxNameLength = 100;

    public static RouteGroupBuilder MapKeysApi(this RouteGroupBuilder api)
    {
        var keys = api.MapGroup("/keys").RequireAuthorization(AdminPolicies.ManageEverything);
        keys.MapPost("", CreateKeyAsync);
        keys.MapGet("", ListKeysAsync);
        keys.MapDelete("/{key_id}", RevokeKeyAsync);
        return api;
    }

    /// <summary><c>{"key": {"name": "ops-bot", "role": "responder"}}</c>; the answer's <c>key</c> is shown once.</summary>
    public static async Task<Results<Created<CreatedApiKey>, ProblemHttpResult>> CreateKeyAsync(HttpContext context, ApiKeys keys, CancellationToken ct)
    {
        var (body, error) = await ReadBodyAsync<KeyEnvelope>(context.Request, "key", ct);
        if (error is not null)
            return error;
        var errors = new Dictionary<string, string[]>();
        var name = body!.Key?.Name?.Trim();
        if (body.Key is null)
            errors["key"] = ["is required: send {\"key\": {\"name\": \"...\", \"role\": \"...\"}}"];
        else if (string.IsNullOrEmpty(name))
            errors["key.name"] = ["is required: it names the actor of everything done with the key"];
        else if (name.Length > MaxNameLength)
            errors["key.name"] = [$"must be at most {MaxNameLength} characters"];
        else if (name == ApiKeys.BootstrapName)
            errors["key.name"] = ["is the bootstrap key's name"];
        if (body.Key is not null && !ApiRole.All.Contains(body.Key.Role))
            errors["key.role"] = [$"'{body.Key.Role}' is not one of {string.Join(", ", ApiRole.All)}"];
        if (errors.Count > 0)
            return AdminProblems.Invalid(errors);

        var created = await keys.CreateAsync(name!, body.Key!.Role!, Actor(context), ct);
        if (created is not { } key)
            return AdminProblems.Invalid("key.name", $"'{name}' is the name of another live key; names say who acted, so they are unique");
        context.Response.Headers.CacheControl = "no-store";
        var row = key.Row;
        return TypedResults.Created($"{context.Request.PathBase}/api/v1/keys/{row.Id}",
            new CreatedApiKey(row.Id, row.Name, row.Role, row.CreatedAt, row.CreatedBy, row.RevokedAt, row.LastUsedAt, key.Key));
    }

    public static async Task<Ok<List<ApiKeyRow>>> ListKeysAsync(ApiKeys keys, CancellationToken ct) => TypedResults.Ok((await keys.ListAsync(ct)).ToList());

    /// <summary>Revokes the key: it stops working at once; the row stays, as the record of who that actor was.</summary>
    public static async Task<Results<Ok<ApiKeyRow>, ProblemHttpResult>> RevokeKeyAsync(string key_id, ApiKeys keys, CancellationToken ct) =>
        await keys.RevokeAsync(key_id, ct) is { } row ? TypedResults.Ok(row) : AdminProblems.NotFound("key", key_id);
}

public sealed record KeyEnvelope(KeyFields? Key);

public sealed record KeyFields(string? Name, string? Role);

/// <summary>A new key with the key itself: the one time it is shown.</summary>
public sealed record CreatedApiKey(
    string Id, string Name, string Role, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt, string Key);
