// mediasec record engine top: AXI4-Lite register block (engine_regs), key table (key_table) and
// LANES record lanes. Lane i's stream signals sit at [i*W +: W] of the flat lane vectors.
//
// Each lane (record_lane) owns a gcm_core, an input and an output frame FIFO of FIFO_BEATS beats;
// the lanes and the register block share the key table (key_table arbitrates).
module mediasec_engine #(
  parameter int unsigned LANES      = 1,
  parameter int unsigned SLOTS      = 1024,
  parameter int unsigned FIFO_BEATS = 4096,
  parameter logic [31:0] BUILD_ID   = 32'h0
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  // AXI4-Lite slave
  input  logic [11:0]          s_axil_awaddr_i,
  input  logic                 s_axil_awvalid_i,
  output logic                 s_axil_awready_o,
  input  logic [31:0]          s_axil_wdata_i,
  input  logic [3:0]           s_axil_wstrb_i,
  input  logic                 s_axil_wvalid_i,
  output logic                 s_axil_wready_o,
  output logic [1:0]           s_axil_bresp_o,
  output logic                 s_axil_bvalid_o,
  input  logic                 s_axil_bready_i,
  input  logic [11:0]          s_axil_araddr_i,
  input  logic                 s_axil_arvalid_i,
  output logic                 s_axil_arready_o,
  output logic [31:0]          s_axil_rdata_o,
  output logic [1:0]           s_axil_rresp_o,
  output logic                 s_axil_rvalid_o,
  input  logic                 s_axil_rready_i,
  // AXI4-Stream in, one per lane
  input  logic [LANES*128-1:0] s_axis_tdata_i,
  input  logic [LANES*16-1:0]  s_axis_tkeep_i,
  input  logic [LANES-1:0]     s_axis_tlast_i,
  input  logic [LANES-1:0]     s_axis_tvalid_i,
  output logic [LANES-1:0]     s_axis_tready_o,
  input  logic [LANES*64-1:0]  s_axis_tuser_i,
  // AXI4-Stream out, one per lane
  output logic [LANES*128-1:0] m_axis_tdata_o,
  output logic [LANES*16-1:0]  m_axis_tkeep_o,
  output logic [LANES-1:0]     m_axis_tlast_o,
  output logic [LANES-1:0]     m_axis_tvalid_o,
  input  logic [LANES-1:0]     m_axis_tready_i,
  output logic [LANES*48-1:0]  m_axis_tuser_o
);
  localparam int unsigned AW = (SLOTS > 1) ? $clog2(SLOTS) : 1;

  logic [AW-1:0]  tbl_addr;
  logic           tbl_gnt;
  logic           tbl_ctx_we, tbl_seq_we, tbl_cnt_we, tbl_re;
  logic [868:0]   tbl_ctx_wdata, tbl_ctx_rdata;
  logic [79:0]    tbl_seq_wdata, tbl_seq_rdata;
  logic [127:0]   tbl_cnt_wdata, tbl_cnt_rdata;
  logic           flush;
  logic [LANES-1:0]    cnt_ok, cnt_auth_fail, cnt_error;
  logic [LANES*16-1:0] cnt_bytes;
  logic [LANES-1:0]    lk_req, lk_op, lk_gnt, lk_rvalid;
  logic [LANES*AW-1:0] lk_slot, cu_slot;
  logic [LANES-1:0]    cu_req, cu_ok, cu_auth, cu_gnt;
  logic [LANES*16-1:0] cu_bytes;

  engine_regs #(.LANES(LANES), .SLOTS(SLOTS), .BUILD_ID(BUILD_ID), .AW(AW)) u_regs (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .s_axil_awaddr_i  (s_axil_awaddr_i),
    .s_axil_awvalid_i (s_axil_awvalid_i),
    .s_axil_awready_o (s_axil_awready_o),
    .s_axil_wdata_i   (s_axil_wdata_i),
    .s_axil_wstrb_i   (s_axil_wstrb_i),
    .s_axil_wvalid_i  (s_axil_wvalid_i),
    .s_axil_wready_o  (s_axil_wready_o),
    .s_axil_bresp_o   (s_axil_bresp_o),
    .s_axil_bvalid_o  (s_axil_bvalid_o),
    .s_axil_bready_i  (s_axil_bready_i),
    .s_axil_araddr_i  (s_axil_araddr_i),
    .s_axil_arvalid_i (s_axil_arvalid_i),
    .s_axil_arready_o (s_axil_arready_o),
    .s_axil_rdata_o   (s_axil_rdata_o),
    .s_axil_rresp_o   (s_axil_rresp_o),
    .s_axil_rvalid_o  (s_axil_rvalid_o),
    .s_axil_rready_i  (s_axil_rready_i),
    .tbl_gnt_i        (tbl_gnt),
    .tbl_waddr_o      (tbl_addr),
    .tbl_ctx_we_o     (tbl_ctx_we),
    .tbl_ctx_wdata_o  (tbl_ctx_wdata),
    .tbl_seq_we_o     (tbl_seq_we),
    .tbl_seq_wdata_o  (tbl_seq_wdata),
    .tbl_cnt_we_o     (tbl_cnt_we),
    .tbl_cnt_wdata_o  (tbl_cnt_wdata),
    .tbl_re_o         (tbl_re),
    .tbl_ctx_rdata_i  (tbl_ctx_rdata),
    .tbl_seq_rdata_i  (tbl_seq_rdata),
    .tbl_cnt_rdata_i  (tbl_cnt_rdata),
    .flush_o          (flush),
    .cnt_ok_i         (cnt_ok),
    .cnt_bytes_i      (cnt_bytes),
    .cnt_auth_fail_i  (cnt_auth_fail),
    .cnt_error_i      (cnt_error)
  );

  key_table #(.LANES(LANES), .SLOTS(SLOTS), .AW(AW)) u_key_table (
    .clk_i           (clk_i),
    .rst_ni          (rst_ni),
    .ctrl_addr_i     (tbl_addr),
    .ctrl_ctx_we_i   (tbl_ctx_we),
    .ctrl_ctx_wdata_i(tbl_ctx_wdata),
    .ctrl_seq_we_i   (tbl_seq_we),
    .ctrl_seq_wdata_i(tbl_seq_wdata),
    .ctrl_cnt_we_i   (tbl_cnt_we),
    .ctrl_cnt_wdata_i(tbl_cnt_wdata),
    .ctrl_re_i       (tbl_re),
    .ctrl_gnt_o      (tbl_gnt),
    .ctx_rdata_o     (tbl_ctx_rdata),
    .seq_rdata_o     (tbl_seq_rdata),
    .cnt_rdata_o     (tbl_cnt_rdata),
    .lk_req_i        (lk_req),
    .lk_slot_i       (lk_slot),
    .lk_op_i         (lk_op),
    .lk_gnt_o        (lk_gnt),
    .lk_rvalid_o     (lk_rvalid),
    .cu_req_i        (cu_req),
    .cu_slot_i       (cu_slot),
    .cu_ok_i         (cu_ok),
    .cu_auth_i       (cu_auth),
    .cu_bytes_i      (cu_bytes),
    .cu_gnt_o        (cu_gnt)
  );

  for (genvar l = 0; l < LANES; l++) begin : g_lane
    record_lane #(.SLOTS(SLOTS), .FIFO_BEATS(FIFO_BEATS), .AW(AW)) u_lane (
      .clk_i      (clk_i),
      .rst_ni     (rst_ni),
      .s_tdata_i  (s_axis_tdata_i[l*128 +: 128]),
      .s_tkeep_i  (s_axis_tkeep_i[l*16 +: 16]),
      .s_tlast_i  (s_axis_tlast_i[l]),
      .s_tvalid_i (s_axis_tvalid_i[l]),
      .s_tready_o (s_axis_tready_o[l]),
      .s_tuser_i  (s_axis_tuser_i[l*64 +: 64]),
      .m_tdata_o  (m_axis_tdata_o[l*128 +: 128]),
      .m_tkeep_o  (m_axis_tkeep_o[l*16 +: 16]),
      .m_tlast_o  (m_axis_tlast_o[l]),
      .m_tvalid_o (m_axis_tvalid_o[l]),
      .m_tready_i (m_axis_tready_i[l]),
      .m_tuser_o  (m_axis_tuser_o[l*48 +: 48]),
      .lk_req_o   (lk_req[l]),
      .lk_slot_o  (lk_slot[l*AW +: AW]),
      .lk_op_o    (lk_op[l]),
      .lk_gnt_i   (lk_gnt[l]),
      .lk_rvalid_i(lk_rvalid[l]),
      .ctx_i      (tbl_ctx_rdata),
      .seq_i      (tbl_seq_rdata),
      .cu_req_o   (cu_req[l]),
      .cu_slot_o  (cu_slot[l*AW +: AW]),
      .cu_ok_o    (cu_ok[l]),
      .cu_auth_o  (cu_auth[l]),
      .cu_bytes_o (cu_bytes[l*16 +: 16]),
      .cu_gnt_i   (cu_gnt[l]),
      .cnt_ok_o   (cnt_ok[l]),
      .cnt_bytes_o(cnt_bytes[l*16 +: 16]),
      .cnt_auth_o (cnt_auth_fail[l]),
      .cnt_err_o  (cnt_error[l])
    );
  end

  // CTRL.reset does not flush records already inside the lanes (see docs/rtl-record.md).
  logic unused;
  assign unused = flush;
endmodule
