// Per-slot state of the record engine, as three inferable memories (one write port and one
// synchronous read port each, so yosys maps them to block RAM):
//   ctx: {hpow[511:0], iv[95:0], key[255:0], dir, framing[1:0], key256, valid}  (869 bits)
//   seq: {epoch[15:0], seq[63:0]}                                               (80 bits)
//   cnt: {auth_fail[31:0], bytes[63:0], records[31:0]}                          (128 bits)
// One operation at a time, chosen each free cycle: the register block (ctrl, priority; a
// single write or read, granted with ctrl_gnt_o, read data the next cycle) or, round robin,
// a lane's lookup or counter update. Lane operations are read-modify-write over two cycles:
//   lookup: read ctx+seq; next cycle lk_rvalid_o[lane] with the data (sequence before the job)
//           and, if the slot is valid and its direction equals the job's op, write seq+1
//           (DTLS: modulo 2^48) — check 1 and 2 of docs/record-engine.md decide the advance.
//   update: read cnt; next cycle write cnt + {auth_fail, bytes, records} increments.
module key_table #(
  parameter int unsigned LANES = 1,
  parameter int unsigned SLOTS = 1024,
  parameter int unsigned AW    = (SLOTS > 1) ? $clog2(SLOTS) : 1
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  // register block
  input  logic [AW-1:0]       ctrl_addr_i,
  input  logic                ctrl_ctx_we_i,
  input  logic [868:0]        ctrl_ctx_wdata_i,
  input  logic                ctrl_seq_we_i,
  input  logic [79:0]         ctrl_seq_wdata_i,
  input  logic                ctrl_cnt_we_i,
  input  logic [127:0]        ctrl_cnt_wdata_i,
  input  logic                ctrl_re_i,
  output logic                ctrl_gnt_o,
  // read data (register block after a ctrl read, lanes with lk_rvalid_o)
  output logic [868:0]        ctx_rdata_o,
  output logic [79:0]         seq_rdata_o,
  output logic [127:0]        cnt_rdata_o,
  // lane lookups
  input  logic [LANES-1:0]    lk_req_i,
  input  logic [LANES*AW-1:0] lk_slot_i,
  input  logic [LANES-1:0]    lk_op_i,
  output logic [LANES-1:0]    lk_gnt_o,
  output logic [LANES-1:0]    lk_rvalid_o,
  // lane counter updates
  input  logic [LANES-1:0]    cu_req_i,
  input  logic [LANES*AW-1:0] cu_slot_i,
  input  logic [LANES-1:0]    cu_ok_i,
  input  logic [LANES-1:0]    cu_auth_i,
  input  logic [LANES*16-1:0] cu_bytes_i,
  output logic [LANES-1:0]    cu_gnt_o
);
  localparam int unsigned NReq = 2 * LANES;  // requester r < LANES: lookup of lane r; else update
  localparam int unsigned RW   = (NReq > 1) ? $clog2(NReq) : 1;
  localparam int unsigned LW   = (LANES > 1) ? $clog2(LANES) : 1;

  logic          ctx_we, seq_we, cnt_we, re;
  logic [AW-1:0] waddr, raddr;
  logic [868:0]  ctx_wdata;
  logic [79:0]   seq_wdata;
  logic [127:0]  cnt_wdata;

  ram_1w1r #(.W(869), .DEPTH(SLOTS), .AW(AW)) u_ctx (
    .clk_i(clk_i), .we_i(ctx_we), .waddr_i(waddr), .wdata_i(ctx_wdata),
    .re_i(re), .raddr_i(raddr), .rdata_o(ctx_rdata_o));
  ram_1w1r #(.W(80), .DEPTH(SLOTS), .AW(AW)) u_seq (
    .clk_i(clk_i), .we_i(seq_we), .waddr_i(waddr), .wdata_i(seq_wdata),
    .re_i(re), .raddr_i(raddr), .rdata_o(seq_rdata_o));
  ram_1w1r #(.W(128), .DEPTH(SLOTS), .AW(AW)) u_cnt (
    .clk_i(clk_i), .we_i(cnt_we), .waddr_i(waddr), .wdata_i(cnt_wdata),
    .re_i(re), .raddr_i(raddr), .rdata_o(cnt_rdata_o));

  // operation in its write-back cycle
  logic          wb_q, wb_d;
  logic          wb_update_q;   // 0: lookup, 1: counter update
  logic [LW-1:0] wb_lane_q;
  logic [AW-1:0] wb_addr_q;
  logic          wb_op_q, wb_ok_q, wb_auth_q;
  logic [15:0]   wb_bytes_q;
  logic [RW-1:0] rr_q;          // round-robin start
  logic [NReq-1:0] req;
  logic          pick_valid;
  logic [RW-1:0] pick;

  assign req = {cu_req_i, lk_req_i};

  always_comb begin
    pick_valid = 1'b0;
    pick       = '0;
    for (int k = NReq - 1; k >= 0; k--) begin
      // scan from rr_q upwards (wrapping); the last hit assigned wins, so scan backwards
      if (req[(32'(rr_q) + k) % NReq]) begin
        pick_valid = 1'b1;
        pick       = RW'((32'(rr_q) + k) % NReq);
      end
    end
  end

  logic          ctrl_req;
  logic          lane_go;
  logic          wb_valid, wb_dir;
  logic [1:0]    wb_framing;
  logic [63:0]   seq_next;

  assign ctrl_req   = ctrl_ctx_we_i || ctrl_seq_we_i || ctrl_cnt_we_i || ctrl_re_i;
  assign ctrl_gnt_o = ctrl_req && !wb_q;
  assign lane_go    = !wb_q && !ctrl_req && pick_valid;
  assign wb_d       = lane_go;
  assign wb_valid   = ctx_rdata_o[0];
  assign wb_framing = ctx_rdata_o[3:2];
  assign wb_dir     = ctx_rdata_o[4];
  // DTLS (framing 2) sequence numbers are 48 bits.
  assign seq_next   = (wb_framing == mediasec_regs_pkg::FRAMING_DTLS12)
                      ? {16'h0, seq_rdata_o[47:0] + 48'd1} : seq_rdata_o[63:0] + 64'd1;

  always_comb begin
    ctx_we    = 1'b0;
    seq_we    = 1'b0;
    cnt_we    = 1'b0;
    waddr     = ctrl_addr_i;
    ctx_wdata = ctrl_ctx_wdata_i;
    seq_wdata = ctrl_seq_wdata_i;
    cnt_wdata = ctrl_cnt_wdata_i;
    re        = 1'b0;
    raddr     = ctrl_addr_i;
    lk_gnt_o    = '0;
    cu_gnt_o    = '0;
    lk_rvalid_o = '0;
    if (wb_q) begin
      waddr = wb_addr_q;
      if (!wb_update_q) begin
        lk_rvalid_o[wb_lane_q] = 1'b1;
        seq_we    = wb_valid && (wb_dir == wb_op_q);
        seq_wdata = {seq_rdata_o[79:64], seq_next};
      end else begin
        cnt_we    = 1'b1;
        cnt_wdata = {cnt_rdata_o[127:96] + {31'h0, wb_auth_q},
                     cnt_rdata_o[95:32] + (wb_ok_q ? {48'h0, wb_bytes_q} : 64'h0),
                     cnt_rdata_o[31:0] + {31'h0, wb_ok_q}};
      end
    end else if (ctrl_req) begin
      ctx_we = ctrl_ctx_we_i;
      seq_we = ctrl_seq_we_i;
      cnt_we = ctrl_cnt_we_i;
      re     = ctrl_re_i;
    end else if (pick_valid) begin
      re = 1'b1;
      if (32'(pick) < LANES) begin
        raddr = lk_slot_i[32'(pick) * AW +: AW];
        lk_gnt_o[32'(pick)] = 1'b1;
      end else begin
        raddr = cu_slot_i[(32'(pick) - LANES) * AW +: AW];
        cu_gnt_o[32'(pick) - LANES] = 1'b1;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wb_q        <= 1'b0;
      wb_update_q <= 1'b0;
      wb_lane_q   <= '0;
      wb_addr_q   <= '0;
      wb_op_q     <= 1'b0;
      wb_ok_q     <= 1'b0;
      wb_auth_q   <= 1'b0;
      wb_bytes_q  <= '0;
      rr_q        <= '0;
    end else begin
      wb_q <= wb_d;
      if (lane_go) begin
        wb_addr_q <= raddr;
        rr_q      <= (32'(pick) + 1 >= NReq) ? '0 : pick + 1'b1;
        if (32'(pick) < LANES) begin
          wb_update_q <= 1'b0;
          wb_lane_q   <= LW'(pick);
          wb_op_q     <= lk_op_i[32'(pick)];
        end else begin
          wb_update_q <= 1'b1;
          wb_lane_q   <= LW'(32'(pick) - LANES);
          wb_ok_q     <= cu_ok_i[32'(pick) - LANES];
          wb_auth_q   <= cu_auth_i[32'(pick) - LANES];
          wb_bytes_q  <= cu_bytes_i[(32'(pick) - LANES) * 16 +: 16];
        end
      end
    end
  end
endmodule
