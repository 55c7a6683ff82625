<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
  <context>
    <name>BarChart</name>
    <message>
      <location filename="../../stockdesk/ui/chart.py" line="513" />
      <source>{date}  O {open}  H {high}  L {low}  C {close}  Chg {change} ({pct}%)  Vol {volume}  Amount {amount}  Turnover {turn}%</source>
      <translation>{date}  开 {open}  高 {high}  低 {low}  收 {close}  涨跌 {change}（{pct}%）  成交量 {volume}  成交额 {amount}  换手率 {turn}%</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/chart.py" line="529" />
      <source>Select a stock to see its bars.</source>
      <translation>选择一只股票查看其 K 线。</translation>
    </message>
  </context>
  <context>
    <name>CrashReporter</name>
    <message>
      <location filename="../../stockdesk/ui/diagnostics.py" line="57" />
      <source>StockDesk: unexpected error</source>
      <translation>StockDesk：意外错误</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/diagnostics.py" line="59" />
      <source>StockDesk ran into an unexpected error. Collected stocks are kept; a running job was stopped and logged as failed, and can be resumed from the history. Please send the log file to support:
{path}</source>
      <translation>StockDesk 遇到意外错误。已采集的股票数据会保留；正在运行的任务已停止并记为失败，可在历史记录中继续。请将日志文件发送给技术支持：
{path}</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/diagnostics.py" line="63" />
      <source>Open Log Folder</source>
      <translation>打开日志文件夹</translation>
    </message>
  </context>
  <context>
    <name>DataView</name>
    <message>
      <location filename="../../stockdesk/ui/data_view.py" line="613" />
      <source>The bars the chart shows and Export selected… writes; a stock offers the frequencies it has stored</source>
      <translation>图表显示、“导出所选…”写出的 K 线周期；每只股票只提供已保存的周期</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/data_view.py" line="587" />
      <source>Missing days are found in daily bars only.</source>
      <translation>只在日线中查找缺失的交易日。</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/data_view.py" line="225" />
      <source>No database is open.</source>
      <translation>没有打开的数据库。</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/data_view.py" line="229" />
      <source>Reading the stored securities…</source>
      <translation>正在读取已保存的证券…</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/data_view.py" line="297" />
      <source>Export bars</source>
      <translation>导出日线</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/data_view.py" line="299" />
      <source>CSV (*.csv);;Parquet (*.parquet)</source>
      <translation>CSV (*.csv);;Parquet (*.parquet)</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/data_view.py" line="308" />
      <source>Exporting {count} stocks…</source>
      <translation>正在导出 {count} 只股票…</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/data_view.py" line="411" />
      <source>Select the stocks to export in the table.</source>
      <translation>请先在表格中选择要导出的股票。</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/data_view.py" line="427" />
      <source>Could not read the database: {error}</source>
      <translation>无法读取数据库：{error}</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/data_view.py" line="457" />
      <source>Exported {stocks} stocks, {rows} rows to {path}</source>
      <translation>已导出 {stocks} 只股票、{rows} 行到 {path}</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/data_view.py" line="465" />
      <source>The export failed: {error}</source>
      <translation>导出失败：{error}</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/data_view.py" line="490" />
      <source>{shown} of {total} securities</source>
      <translation>显示 {shown} / 共 {total} 只证券</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/data_view.py" line="498" />
      <source>No trading day is missing.</source>
      <translation>没有缺失的交易日。</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/data_view.py" line="501" />
      <source>{days} trading days missing in {gaps} gaps</source>
      <translation>缺 {days} 个交易日，共 {gaps} 处缺口</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/data_view.py" line="508" />
      <source>Search by code, name or pinyin initials (e.g. pfyh)</source>
      <translation>按代码、名称或拼音首字母搜索（如 pfyh）</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/data_view.py" line="510" />
      <source>Refresh</source>
      <translation>刷新</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/data_view.py" line="511" />
      <source>Export selected…</source>
      <translation>导出所选…</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/data_view.py" line="513" />
      <source>Write the selected stocks' bars of the chart's frequency to a CSV or Parquet file</source>
      <translation>将所选股票在图表所选周期的 K 线写入 CSV 或 Parquet 文件</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/data_view.py" line="515" />
      <source>Unadjusted</source>
      <translation>不复权</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/data_view.py" line="515" />
      <source>Forward (qfq)</source>
      <translation>前复权</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/data_view.py" line="515" />
      <source>Backward (hfq)</source>
      <translation>后复权</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/data_view.py" line="519" />
      <source>Red up, green down</source>
      <translation>红涨绿跌</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/data_view.py" line="520" />
      <source>Green up, red down</source>
      <translation>绿涨红跌</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/data_view.py" line="521" />
      <source>Collect missing days</source>
      <translation>补采缺失的交易日</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/data_view.py" line="523" />
      <source>Start a job that collects the selected gap of this stock (gaps are found in daily bars only)</source>
      <translation>启动一个任务，采集这只股票所选缺口的数据（只在日线中查找缺口）</translation>
    </message>
  </context>
  <context>
    <name>DatabaseDialog</name>
    <message>
      <location filename="../../stockdesk/ui/database_dialog.py" line="143" />
      <source>SQLite database file</source>
      <translation>SQLite 数据库文件</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/database_dialog.py" line="144" />
      <source>SQLite databases (*.db *.sqlite *.sqlite3);;All files (*)</source>
      <translation>SQLite 数据库 (*.db *.sqlite *.sqlite3);;所有文件 (*)</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/database_dialog.py" line="1" />
      <source>Database</source>
      <translation>数据库</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/database_dialog.py" line="156" />
      <source>A SQLite file on this computer</source>
      <translation>本机上的 SQLite 文件</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/database_dialog.py" line="157" />
      <source>A PostgreSQL server shared by the team</source>
      <translation>团队共用的 PostgreSQL 服务器</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/database_dialog.py" line="158" />
      <source>Browse…</source>
      <translation>浏览…</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/database_dialog.py" line="160" />
      <source>empty: the saved password, ~/.pgpass or PGPASSWORD</source>
      <translation>留空：使用已保存的密码、~/.pgpass 或 PGPASSWORD</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/database_dialog.py" line="1" />
      <source>File</source>
      <translation>文件</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/database_dialog.py" line="82" />
      <source>Host</source>
      <translation>主机</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/database_dialog.py" line="83" />
      <source>Port</source>
      <translation>端口</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/database_dialog.py" line="87" />
      <source>User</source>
      <translation>用户</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/database_dialog.py" line="88" />
      <source>Password</source>
      <translation>密码</translation>
    </message>
  </context>
  <context>
    <name>FailuresModel</name>
    <message>
      <location filename="../../stockdesk/ui/failures_model.py" line="26" />
      <source>Code</source>
      <translation>代码</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/failures_model.py" line="26" />
      <source>Name</source>
      <translation>名称</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/failures_model.py" line="26" />
      <source>Error code</source>
      <translation>错误码</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/failures_model.py" line="26" />
      <source>Message</source>
      <translation>错误信息</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/failures_model.py" line="27" />
      <source>Attempts</source>
      <translation>尝试次数</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/failures_model.py" line="27" />
      <source>Time</source>
      <translation>时间</translation>
    </message>
  </context>
  <context>
    <name>GapsModel</name>
    <message>
      <location filename="../../stockdesk/ui/data_view.py" line="70" />
      <source>First missing day</source>
      <translation>缺失起始日</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/data_view.py" line="70" />
      <source>Last missing day</source>
      <translation>缺失结束日</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/data_view.py" line="70" />
      <source>Days</source>
      <translation>天数</translation>
    </message>
  </context>
  <context>
    <name>HistoryModel</name>
    <message>
      <location filename="../../stockdesk/ui/history_model.py" line="36" />
      <source>Task ID</source>
      <translation>任务 ID</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/history_model.py" line="36" />
      <source>Status</source>
      <translation>状态</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/history_model.py" line="36" />
      <source>Date range</source>
      <translation>日期范围</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/history_model.py" line="36" />
      <source>Stocks</source>
      <translation>股票</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/history_model.py" line="37" />
      <source>Succeeded</source>
      <translation>成功</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/history_model.py" line="37" />
      <source>Failed</source>
      <translation>失败</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/history_model.py" line="37" />
      <source>Skipped</source>
      <translation>跳过</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/history_model.py" line="37" />
      <source>Rows</source>
      <translation>行数</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/history_model.py" line="38" />
      <source>Started</source>
      <translation>开始时间</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/history_model.py" line="38" />
      <source>Ended</source>
      <translation>结束时间</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/history_model.py" line="38" />
      <source>Duration</source>
      <translation>耗时</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/history_model.py" line="38" />
      <source>Continues</source>
      <translation>继续自</translation>
    </message>
  </context>
  <context>
    <name>HistoryPanel</name>
    <message>
      <location filename="../../stockdesk/ui/history_panel.py" line="174" />
      <source>Export failed stocks</source>
      <translation>导出失败股票</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/history_panel.py" line="174" />
      <source>CSV files (*.csv)</source>
      <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/history_panel.py" line="276" />
      <source>Select an interrupted, cancelled or failed job to continue it.</source>
      <translation>请选择一个已中断、已取消或失败的任务来继续它。</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/history_panel.py" line="278" />
      <source>This job is still running.</source>
      <translation>该任务仍在运行。</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/history_panel.py" line="280" />
      <source>This job collected every stock; nothing is left to continue.</source>
      <translation>该任务已采集全部股票，没有需要继续的内容。</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/history_panel.py" line="282" />
      <source>Start a new job with only the stocks this job has not done.</source>
      <translation>启动一个新任务，只采集该任务尚未完成的股票。</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/history_panel.py" line="297" />
      <source>Select a job to see its failed stocks.</source>
      <translation>选择一个任务以查看其失败的股票。</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/history_panel.py" line="300" />
      <source>Failed stocks of {id}: {count}</source>
      <translation>任务 {id} 的失败股票：{count} 只</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/history_panel.py" line="311" />
      <source>Job history</source>
      <translation>任务历史</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/history_panel.py" line="312" />
      <source>Refresh</source>
      <translation>刷新</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/history_panel.py" line="313" />
      <source>Resume</source>
      <translation>继续任务</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/history_panel.py" line="315" />
      <source>Copy</source>
      <translation>复制</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/history_panel.py" line="316" />
      <source>Export CSV…</source>
      <translation>导出 CSV…</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/history_panel.py" line="317" />
      <source>Retry failed</source>
      <translation>重试失败股票</translation>
    </message>
  </context>
  <context>
    <name>JobForm</name>
    <message>
      <location filename="../../stockdesk/ui/job_form.py" line="200" />
      <source>Bars</source>
      <translation>K 线周期</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/job_form.py" line="200" />
      <source>Indices</source>
      <translation>指数</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/job_form.py" line="240" />
      <source>Update</source>
      <translation>更新到最新</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/job_form.py" line="242" />
      <source>Bring every stored stock to the last trading day the server has</source>
      <translation>把已保存的每只股票（以及此后上市的股票）更新到服务器的最后一个交易日</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/job_form.py" line="115" />
      <source>The start date is after the end date.</source>
      <translation>开始日期晚于结束日期。</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/job_form.py" line="126" />
      <source>Not valid stock codes: {codes}. Use codes such as sh.600000, sz.000001, 600000 or 600000.SH.</source>
      <translation>以下不是有效的股票代码：{codes}。请使用 sh.600000、sz.000001、600000 或 600000.SH 这样的代码。</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/job_form.py" line="131" />
      <source>Paste at least one stock code.</source>
      <translation>请至少输入一个股票代码。</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/job_form.py" line="170" />
      <source>Collection</source>
      <translation>采集</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/job_form.py" line="171" />
      <source>Dates</source>
      <translation>日期</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/job_form.py" line="171" />
      <source>Stocks</source>
      <translation>股票</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/job_form.py" line="171" />
      <source>Codes</source>
      <translation>代码列表</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/job_form.py" line="171" />
      <source>Prices</source>
      <translation>复权类型</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/job_form.py" line="174" />
      <source>to</source>
      <translation>至</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/job_form.py" line="176" />
      <source>All A-shares</source>
      <translation>全部 A 股</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/job_form.py" line="176" />
      <source>CSI 300 (HS300)</source>
      <translation>沪深300</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/job_form.py" line="176" />
      <source>SSE 50 (SZ50)</source>
      <translation>上证50</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/job_form.py" line="177" />
      <source>CSI 500 (ZZ500)</source>
      <translation>中证500</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/job_form.py" line="177" />
      <source>Pasted codes</source>
      <translation>指定代码</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/job_form.py" line="181" />
      <source>Unadjusted</source>
      <translation>不复权</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/job_form.py" line="181" />
      <source>Forward adjusted</source>
      <translation>前复权</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/job_form.py" line="182" />
      <source>Backward adjusted</source>
      <translation>后复权</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/job_form.py" line="186" />
      <source>Codes separated by spaces, commas or new lines, e.g. sh.600000 000001.SZ</source>
      <translation>用空格、逗号或换行分隔，例如 sh.600000 000001.SZ</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/job_form.py" line="188" />
      <source>Start</source>
      <translation>开始</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/job_form.py" line="189" />
      <source>Cancel</source>
      <translation>取消</translation>
    </message>
  </context>
  <context>
    <name>MainWindow</name>
    <message>
      <location filename="../../stockdesk/ui/main_window.py" line="329" />
      <source>Open &amp;Log Folder</source>
      <translation>打开日志文件夹(&amp;L)</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/main_window.py" line="153" />
      <source>A job is running</source>
      <translation>任务正在运行</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/main_window.py" line="154" />
      <source>A collection job is still running. Cancel it and close the window? Stocks already collected are kept.</source>
      <translation>采集任务仍在运行。要取消任务并关闭窗口吗？已采集的股票数据会保留。</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/main_window.py" line="190" />
      <source>Cancelling the job, then closing…</source>
      <translation>正在取消任务，完成后关闭窗口…</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/main_window.py" line="217" />
      <source>Cancelling…</source>
      <translation>正在取消…</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/main_window.py" line="271" />
      <source>Could not read the job log: {error}</source>
      <translation>无法读取任务记录：{error}</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/main_window.py" line="278" />
      <source>{status}: {success} succeeded, {failed} failed, {skipped} skipped, {rows} rows.</source>
      <translation>{status}：成功 {success} 只，失败 {failed} 只，跳过 {skipped} 只，共 {rows} 行。</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/main_window.py" line="287" />
      <source>Collection job ended</source>
      <translation>采集任务已结束</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/main_window.py" line="292" />
      <source>The job failed: {error}</source>
      <translation>任务失败：{error}</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/main_window.py" line="295" />
      <source>The baostock server cannot be reached. Check the network connection and try again, or try StockDesk offline with the built-in demo market.
Details: {error}</source>
      <translation>无法连接 baostock 服务器。请检查网络连接后重试，或使用内置的演示行情离线体验 StockDesk。
详细信息：{error}</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/main_window.py" line="298" />
      <source>Open the demo</source>
      <translation>打开演示</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/main_window.py" line="326" />
      <source>StockDesk — A-share daily history</source>
      <translation>StockDesk — A 股日线历史采集</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/main_window.py" line="328" />
      <source>&amp;File</source>
      <translation>文件(&amp;F)</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/main_window.py" line="330" />
      <source>&amp;Quit</source>
      <translation>退出(&amp;Q)</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/main_window.py" line="331" />
      <source>&amp;Language</source>
      <translation>语言(&amp;L)</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/main_window.py" line="332" />
      <source>Stocks of the current job</source>
      <translation>当前任务的股票</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/main_window.py" line="333" />
      <source>All</source>
      <translation>全部</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/main_window.py" line="333" />
      <source>Failed</source>
      <translation>失败</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/main_window.py" line="333" />
      <source>Succeeded</source>
      <translation>成功</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/main_window.py" line="333" />
      <source>Skipped</source>
      <translation>跳过</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/main_window.py" line="174" />
      <source>The daily update ran at {time}: {status}, {success} succeeded, {failed} failed, {skipped} skipped, {rows} rows.</source>
      <translation>每日更新已于 {time} 运行：{status}，成功 {success}，失败 {failed}，跳过 {skipped}，共 {rows} 行。</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/main_window.py" line="382" />
      <source>&amp;Settings</source>
      <translation>设置(&amp;S)</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/main_window.py" line="383" />
      <source>&amp;Daily Update…</source>
      <translation>每日更新(&amp;D)…</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/main_window.py" line="363" />
      <source>A job is running. Choose another database when it has ended.</source>
      <translation>有任务正在运行。请在任务结束后再选择其他数据库。</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/main_window.py" line="377" />
      <source>&amp;Database…</source>
      <translation>数据库(&amp;D)…</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/main_window.py" line="348" />
      <source>Collecting {code} from {start} to {end}…</source>
      <translation>正在采集 {code}：{start} 至 {end}…</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/main_window.py" line="437" />
      <source>Collection</source>
      <translation>采集</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/main_window.py" line="438" />
      <source>Data</source>
      <translation>数据</translation>
    </message>
  </context>
  <context>
    <name>NoticeBar</name>
    <message>
      <location filename="../../stockdesk/ui/notice_bar.py" line="62" />
      <source>Dismiss</source>
      <translation>关闭</translation>
    </message>
  </context>
  <context>
    <name>OverviewModel</name>
    <message>
      <location filename="../../stockdesk/ui/overview_model.py" line="89" />
      <source>Frequencies</source>
      <translation>周期</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/overview_model.py" line="35" />
      <source>Stock</source>
      <translation>股票</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/overview_model.py" line="36" />
      <source>Index</source>
      <translation>指数</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/overview_model.py" line="37" />
      <source>Other</source>
      <translation>其他</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/overview_model.py" line="38" />
      <source>Convertible bond</source>
      <translation>可转债</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/overview_model.py" line="39" />
      <source>ETF</source>
      <translation>ETF</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/overview_model.py" line="76" />
      <source>Code</source>
      <translation>代码</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/overview_model.py" line="77" />
      <source>Name</source>
      <translation>名称</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/overview_model.py" line="78" />
      <source>Type</source>
      <translation>类型</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/overview_model.py" line="79" />
      <source>First day</source>
      <translation>首日</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/overview_model.py" line="80" />
      <source>Last day</source>
      <translation>末日</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/overview_model.py" line="81" />
      <source>Rows</source>
      <translation>行数</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/overview_model.py" line="82" />
      <source>Missing days</source>
      <translation>缺失天数</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/overview_model.py" line="83" />
      <source>Last factor event</source>
      <translation>最近除权日</translation>
    </message>
  </context>
  <context>
    <name>ProgressPanel</name>
    <message>
      <location filename="../../stockdesk/ui/progress_panel.py" line="134" />
      <source>Task ID:</source>
      <translation>任务 ID：</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/progress_panel.py" line="134" />
      <source>Succeeded:</source>
      <translation>成功：</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/progress_panel.py" line="134" />
      <source>Failed:</source>
      <translation>失败：</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/progress_panel.py" line="134" />
      <source>Skipped:</source>
      <translation>跳过：</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/progress_panel.py" line="135" />
      <source>Rows:</source>
      <translation>行数：</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/progress_panel.py" line="135" />
      <source>Elapsed:</source>
      <translation>已用时间：</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/progress_panel.py" line="135" />
      <source>ETA:</source>
      <translation>预计剩余：</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/progress_panel.py" line="139" />
      <source>Copy ID</source>
      <translation>复制 ID</translation>
    </message>
  </context>
  <context>
    <name>ResultsModel</name>
    <message>
      <location filename="../../stockdesk/ui/results_model.py" line="90" />
      <source>Code</source>
      <translation>代码</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/results_model.py" line="90" />
      <source>Name</source>
      <translation>名称</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/results_model.py" line="90" />
      <source>Status</source>
      <translation>状态</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/results_model.py" line="90" />
      <source>Rows</source>
      <translation>行数</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/results_model.py" line="91" />
      <source>Attempts</source>
      <translation>尝试次数</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/results_model.py" line="91" />
      <source>Error</source>
      <translation>错误</translation>
    </message>
  </context>
  <context>
    <name>ScheduleDialog</name>
    <message>
      <location filename="../../stockdesk/ui/schedule_dialog.py" line="102" />
      <source>Reading the daily update…</source>
      <translation>正在读取每日更新…</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/schedule_dialog.py" line="126" />
      <source>Saving…</source>
      <translation>正在保存…</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/schedule_dialog.py" line="130" />
      <source>Removing…</source>
      <translation>正在取消…</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/schedule_dialog.py" line="157" />
      <source>No daily update is set.</source>
      <translation>尚未设置每日更新。</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/schedule_dialog.py" line="161" />
      <source>Every day at {time}, {scheduler} runs:
{command}
{where}
{missed}</source>
      <translation>每天 {time} 由 {scheduler} 运行：
{command}
{where}
{missed}</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/schedule_dialog.py" line="164" />
      <source>Entry: {location}</source>
      <translation>位置：{location}</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/schedule_dialog.py" line="171" />
      <source>The system's scheduler reported an error: {error}</source>
      <translation>系统计划任务报告错误：{error}</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/schedule_dialog.py" line="180" />
      <source>the systemd user timer</source>
      <translation>systemd 用户定时器</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/schedule_dialog.py" line="181" />
      <source>your crontab</source>
      <translation>当前用户的 crontab</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/schedule_dialog.py" line="182" />
      <source>a launchd agent</source>
      <translation>launchd 用户代理</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/schedule_dialog.py" line="183" />
      <source>Windows Task Scheduler</source>
      <translation>Windows 任务计划程序</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/schedule_dialog.py" line="189" />
      <source>A run missed while the computer was off runs at the next start or login.</source>
      <translation>关机时错过的运行会在下次开机或登录后补上。</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/schedule_dialog.py" line="191" />
      <source>cron does not make up a run missed while the computer was off.</source>
      <translation>cron 不会补上关机时错过的运行。</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/schedule_dialog.py" line="193" />
      <source>A run missed while the Mac slept runs when it wakes (not one missed while it was off).</source>
      <translation>睡眠时错过的运行会在唤醒后补上（关机时错过的不会）。</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/schedule_dialog.py" line="195" />
      <source>A missed run starts as soon as possible afterwards.</source>
      <translation>错过的运行会在之后尽快补上。</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/schedule_dialog.py" line="200" />
      <source>Daily Update</source>
      <translation>每日更新</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/schedule_dialog.py" line="202" />
      <source>StockDesk can update the database every day at a set time through the system's own scheduler, also when this window is closed. The update uses this window's database and server; its result is written to the log, and the window reports it at its next start.</source>
      <translation>StockDesk 可以通过系统自带的计划任务，每天在设定的时间更新数据库，窗口关闭时也会运行。更新使用本窗口的数据库和服务器；结果写入日志，并在下次打开窗口时显示。</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/schedule_dialog.py" line="206" />
      <source>Time:</source>
      <translation>时间：</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/schedule_dialog.py" line="207" />
      <source>&amp;Set</source>
      <translation>设置(&amp;S)</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/schedule_dialog.py" line="208" />
      <source>&amp;Remove</source>
      <translation>取消计划(&amp;R)</translation>
    </message>
  </context>
  <context>
    <name>app</name>
    <message>
      <location filename="../../stockdesk/app.py" line="146" />
      <source>{count} job(s) were interrupted when StockDesk last stopped: {ids}</source>
      <translation>上次退出时有 {count} 个任务被中断：{ids}</translation>
    </message>
    <message>
      <location filename="../../stockdesk/app.py" line="181" />
      <source>The password could not be saved in the system keyring ({error}); it will be asked for again, or put it in ~/.pgpass.</source>
      <translation>无法把密码保存到系统钥匙串（{error}）；下次需要重新输入，或把它写入 ~/.pgpass。</translation>
    </message>
    <message>
      <location filename="../../stockdesk/app.py" line="208" />
      <source>The database chosen last time could not be opened, so the default one is used. {error}</source>
      <translation>上次选择的数据库无法打开，已改用默认数据库。{error}</translation>
    </message>
    <message>
      <location filename="../../stockdesk/app.py" line="292" />
      <source>Opening {database}…</source>
      <translation>正在打开 {database}…</translation>
    </message>
    <message>
      <location filename="../../stockdesk/app.py" line="309" />
      <source>The database was not changed: {error}</source>
      <translation>数据库没有改变：{error}</translation>
    </message>
  </context>
  <context>
    <name>labels</name>
    <message>
      <location filename="../../stockdesk/ui/labels.py" line="40" />
      <source>Daily</source>
      <translation>日线</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/labels.py" line="40" />
      <source>Weekly</source>
      <translation>周线</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/labels.py" line="40" />
      <source>Monthly</source>
      <translation>月线</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/labels.py" line="40" />
      <source>5 minutes</source>
      <translation>5 分钟线</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/labels.py" line="40" />
      <source>15 minutes</source>
      <translation>15 分钟线</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/labels.py" line="40" />
      <source>30 minutes</source>
      <translation>30 分钟线</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/labels.py" line="40" />
      <source>60 minutes</source>
      <translation>60 分钟线</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/labels.py" line="17" />
      <source>Succeeded</source>
      <translation>成功</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/labels.py" line="18" />
      <location filename="../../stockdesk/ui/labels.py" line="29" />
      <source>Failed</source>
      <translation>失败</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/labels.py" line="19" />
      <source>Skipped</source>
      <translation>跳过</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/labels.py" line="27" />
      <source>Running</source>
      <translation>运行中</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/labels.py" line="28" />
      <source>Completed</source>
      <translation>已完成</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/labels.py" line="30" />
      <source>Cancelled</source>
      <translation>已取消</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/labels.py" line="31" />
      <source>Interrupted</source>
      <translation>已中断</translation>
    </message>
    <message>
      <location filename="../../stockdesk/ui/labels.py" line="46" />
      <source>A collection job is already running; wait for it to finish before starting a new one.</source>
      <translation>已有采集任务正在运行，请等待完成后再启动新任务</translation>
    </message>
  </context>
</TS>
