using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace StatusPlatform.StatusApi.PublicApi.Serving;

/// <summary>
/// A body from memory (v2 JSON, a feed, a badge): 200 with the pre-serialized bytes, or 304 when <c>If-None-Match</c> names its ETag; both
/// with the ETag, a short <c>Cache-Control</c>, and the stale headers while the read model is unreachable. GET and
/// HEAD carry the same headers (Content-Length included) and HEAD no body on any server: Kestrel drops a HEAD body
/// by itself, the in-memory test server does not.
/// </summary>
public sealed class PageJson(CachedBody body, ServedPage page, StringValues cacheControl) : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    /// <summary>Sent, as <c>true</c>, only while the page is served from memory because the read model cannot be read.</summary>
    public const string StaleHeader = "X-Status-Stale";

    /// <summary>Sent with <see cref="StaleHeader"/>: when the served state was last read successfully (UTC, ISO 8601).</summary>
    public const string RefreshedAtHeader = "X-Status-Refreshed-At";

    private static readonly StringValues True = "true";

    public int StatusCode => StatusCodes.Status200OK;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public string? ContentType => body.ContentType;

    public CachedBody Body => body;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var request = httpContext.Request;
        var response = httpContext.Response;
        var headers = response.Headers;
        headers.ETag = body.ETagHeader;
        headers.CacheControl = cacheControl;
        if (page.IsStale)
        {
            headers[StaleHeader] = True;
            headers[RefreshedAtHeader] = page.RefreshedAtText;
        }

        if (Matches(request.Headers.IfNoneMatch, body.ETag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        response.StatusCode = StatusCode;
        headers.ContentType = body.ContentType;
        response.ContentLength = body.ContentLength;
        if (!HttpMethods.IsHead(request.Method))
            await response.Body.WriteAsync(body.Bytes, httpContext.RequestAborted);
    }

    /// <summary>
    /// RFC 9110 13.1.2: <c>*</c> or any listed tag under weak comparison (a <c>W/</c> prefix does not matter). Clients
    /// echo the ETag as they got it, so the plain comparison answers almost every request without parsing.
    /// </summary>
    private static bool Matches(StringValues ifNoneMatch, string etag)
    {
        if (StringValues.IsNullOrEmpty(ifNoneMatch))
            return false;
        if (ifNoneMatch.Count == 1 && string.Equals(ifNoneMatch[0], etag, StringComparison.Ordinal))
            return true;
        if (!EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags))
            return false;
        foreach (var tag in tags)
        {
            if (tag.Equals(EntityTagHeaderValue.Any) || tag.Tag.Equals(etag, StringComparison.Ordinal))
                return true;
        }
        return false;
    }
}
