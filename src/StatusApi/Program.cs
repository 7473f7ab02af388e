using StatusPlatform.StatusApi;
using StatusPlatform.StatusApi.AdminApi;
using StatusPlatform.StatusApi.Console;
using StatusPlatform.StatusApi.PublicApi;
using StatusPlatform.StatusApi.PublicApi.Beyond;
using StatusPlatform.StatusApi.PublicApi.History;
using StatusPlatform.StatusApi.Receivers;
using StatusPlatform.StatusApi.StatusPage;
using StatusPlatform.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddStatusApi();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapPublicApi();
app.MapTimeTravelApi();
app.MapBeyondStatuspageApi();
app.MapHeartbeatApi();
app.MapExternalAlertsApi();
app.MapAdminApi();
app.MapStatusPage();
app.MapConsole();
app.Run();
