using StatusPlatform.Probe;
using StatusPlatform.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddProbeService();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
