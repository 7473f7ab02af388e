using System.Security.Cryptography;
using System.Text;

namespace StatusPlatform.StatusApi.StatusPage.Rendering;

/// <summary>
/// /status-page/theme.css: the branding colours and the custom CSS from configuration, as a style sheet of its own, so
/// the pages need no inline style (their Content-Security-Policy allows only this site's files). Built once at start.
/// </summary>
public sealed class Theme
{
    private readonly byte[] _bytes;
    private readonly string _etag;

    public Theme(StatusPageOptions options)
    {
        var css = new StringBuilder()
            .Append(":root { --accent: ").Append(options.AccentColor).Append("; }\n")
            .Append("@media (prefers-color-scheme: dark) { :root { --accent: ").Append(options.AccentColorDark).Append("; } }\n");
        if (options.CustomCss is not null)
            css.Append("/* StatusPage:CustomCss */\n").Append(options.CustomCss).Append('\n');
        _bytes = Encoding.UTF8.GetBytes(css.ToString());
        _etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(_bytes).AsSpan(0, 16))}\"";
    }

    public IResult Serve(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.ETag = _etag;
        headers.CacheControl = "public, max-age=300";
        if (context.Request.Headers.IfNoneMatch == _etag)
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        return HttpMethods.IsHead(context.Request.Method)
            ? TypedResults.Ok()
            : TypedResults.Bytes(_bytes, "text/css; charset=utf-8");
    }
}
