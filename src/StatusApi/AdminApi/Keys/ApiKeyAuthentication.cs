using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Npgsql;

namespace StatusPlatform.StatusApi.AdminApi.Keys;

/// <summary>The admin API's authorization policies, one per kind of work, and the claims they read.</summary>
public static class AdminPolicies
{
    public const string Scheme = "ApiKey";
    public const string Read = "admin-read";
    public const string ManageIncidents = "admin-incidents";
    public const string ManageEverything = "admin-everything";

    /// <summary>The hex SHA-256 of the key: the rate limiter's partition (the key itself is never kept).</summary>
    public const string KeyHashClaim = "key_sha256";
}

/// <summary>
/// <c>Authorization: OAuth &lt;key&gt;</c> (Statuspage's form) or <c>Bearer &lt;key&gt;</c>. A missing, unknown or revoked key
/// answers 401 with WWW-Authenticate, a key whose role may not do the request 403, both as ProblemDetails; a database
/// that cannot be asked answers 503, since "your key is wrong" would be a lie.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory loggerFactory, UrlEncoder encoder, ApiKeys keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    private const string Challenge = "Bearer realm=\"StatusPlatform admin API\", OAuth realm=\"StatusPlatform admin API\"";
    private const string DatabaseUnavailable = "statusapi.admin.key-check-unavailable";
    private const string NoKey = "statusapi.admin.no-key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // The only scheme is also the default one, which the authentication middleware runs on every request; the public
        // page's hot path must not pay for (or look up) a key it does not need.
        if (!Request.Path.StartsWithSegments("/api/v1", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.NoResult();
        if (ReadKey(Request.Headers.Authorization.ToString()) is not { } key)
        {
            Context.Items[NoKey] = true;
            return AuthenticateResult.NoResult();
        }
        ApiKeyHolder? holder;
        try
        {
            holder = await keys.AuthenticateAsync(key, Context.RequestAborted);
        }
        catch (NpgsqlException e)
        {
            Logger.LogWarning("An API key could not be checked: {Reason}", e.Message);
            Context.Items[DatabaseUnavailable] = true;
            return AuthenticateResult.Fail("The key store is unavailable.");
        }
        if (holder is null)
            return AuthenticateResult.Fail("Unknown or revoked key.");
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, holder.Id),
            new Claim(ClaimTypes.Name, holder.Name),
            new Claim(ClaimTypes.Role, holder.Role),
            new Claim(AdminPolicies.KeyHashClaim, Convert.ToHexStringLower(holder.KeyHash)),
        ], Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items.ContainsKey(DatabaseUnavailable))
            return AdminProblems.DatabaseUnavailable().ExecuteAsync(Context);
        Response.Headers.WWWAuthenticate = Challenge;
        var detail = Context.Items.ContainsKey(NoKey)
            ? "Send an API key as 'Authorization: Bearer <key>' or 'Authorization: OAuth <key>'."
            : "The API key is unknown or has been revoked.";
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status401Unauthorized, title: "Could not authenticate",
            type: AdminProblems.Type("unauthenticated")).ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var role = Context.User.FindFirst(ClaimTypes.Role)?.Value;
        return TypedResults.Problem($"A key with the role '{role}' may not do this: viewer keys read, responder keys also manage incidents, admin keys do everything.",
            statusCode: StatusCodes.Status403Forbidden, title: "Not allowed for this key's role", type: AdminProblems.Type("forbidden")).ExecuteAsync(Context);
    }

    /// <summary>The key of <c>OAuth &lt;key&gt;</c> or <c>Bearer &lt;key&gt;</c> (scheme in any case), else null.</summary>
    public static string? ReadKey(string authorization)
    {
        var space = authorization.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0)
            return null;
        var scheme = authorization[..space];
        var key = authorization[(space + 1)..].Trim();
        var known = scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) || scheme.Equals("OAuth", StringComparison.OrdinalIgnoreCase);
        // Real keys are 46 characters; the bound keeps hashing an attacker's megabyte header off the table.
        return known && key.Length is > 0 and <= 512 ? key : null;
    }
}
