using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace StatusPlatform.StatusApi.StatusPage.Rendering;

/// <summary>How a page may be kept by browsers and proxies.</summary>
public enum PageCaching
{
    /// <summary>The same for every reader: short public max-age, ETag and 304, like the v2 JSON.</summary>
    Public,

    /// <summary>One reader's page (forms, tokens in the URL): never stored, never sent as a referrer.</summary>
    Private,
}

/// <summary>
/// An HTML page as a result: status, ETag and 304 for public pages, <c>Vary: Accept-Language</c> when the language
/// came from the browser, and a Content-Security-Policy that allows only this site's own styles and scripts (the
/// pages have no inline script or style, so an injected one would not run).
/// </summary>
public sealed class HtmlPage(RenderedHtml html, int statusCode, PageCaching caching, bool varyByLanguage, StringValues publicCacheControl, string imageSources)
    : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    public const string HtmlContentType = "text/html; charset=utf-8";

    public int? StatusCode => statusCode;

    public string ContentType => HtmlContentType;

    public RenderedHtml Html => html;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var request = httpContext.Request;
        var response = httpContext.Response;
        var headers = response.Headers;
        headers.ContentSecurityPolicy =
            $"default-src 'none'; img-src {imageSources}; style-src 'self'; script-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'";
        headers.XContentTypeOptions = "nosniff";
        if (varyByLanguage)
            headers.Vary = "Accept-Language";
        if (caching == PageCaching.Public)
        {
            headers.CacheControl = publicCacheControl;
            headers.ETag = html.ETag;
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            if (statusCode == StatusCodes.Status200OK && Matches(request.Headers.IfNoneMatch, html.ETag))
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }
        }
        else
        {
            headers.CacheControl = "no-store";
            headers["Referrer-Policy"] = "no-referrer";
        }
        response.StatusCode = statusCode;
        headers.ContentType = HtmlContentType;
        response.ContentLength = html.Bytes.Length;
        if (!HttpMethods.IsHead(request.Method))
            await response.Body.WriteAsync(html.Bytes, httpContext.RequestAborted);
    }

    private static bool Matches(StringValues ifNoneMatch, string etag)
    {
        if (StringValues.IsNullOrEmpty(ifNoneMatch) || !EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags))
            return false;
        return tags.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Tag.Equals(etag, StringComparison.Ordinal));
    }
}
