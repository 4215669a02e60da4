// AXI4-Lite register block and slot-command sequencer of the record engine (docs/register-map.md).
// - One write and one read transaction at a time: AW and W are taken together; a read answers
//   one cycle after AR. Unknown offsets read 0 and ignore writes (OKAY response).
// - SLOT_CMD / CTRL start a command only when STATUS.busy is 0; staged registers (SLOT_SEL,
//   SLOT_CFG, SEQ, EPOCH, KEY, IV) ignore writes while busy so a running LOAD sees stable values.
// - LOAD runs key_setup (H..H^4) and then writes ctx/seq/cnt of the slot; ZEROIZE writes zeros;
//   READ latches the slot into RD_*; CTRL.reset and CTRL.clear_counters sweep every slot;
//   CTRL.selftest runs key_setup on the all-zero AES-128 and AES-256 keys and checks H..H^4.
module engine_regs #(
  parameter int unsigned       LANES    = 1,
  parameter int unsigned       SLOTS    = 1024,
  parameter logic [31:0]       BUILD_ID = 32'h0,
  parameter int unsigned       AW       = (SLOTS > 1) ? $clog2(SLOTS) : 1
) (
  input  logic          clk_i,
  input  logic          rst_ni,
  // AXI4-Lite slave
  input  logic [11:0]   s_axil_awaddr_i,
  input  logic          s_axil_awvalid_i,
  output logic          s_axil_awready_o,
  input  logic [31:0]   s_axil_wdata_i,
  input  logic [3:0]    s_axil_wstrb_i,
  input  logic          s_axil_wvalid_i,
  output logic          s_axil_wready_o,
  output logic [1:0]    s_axil_bresp_o,
  output logic          s_axil_bvalid_o,
  input  logic          s_axil_bready_i,
  input  logic [11:0]   s_axil_araddr_i,
  input  logic          s_axil_arvalid_i,
  output logic          s_axil_arready_o,
  output logic [31:0]   s_axil_rdata_o,
  output logic [1:0]    s_axil_rresp_o,
  output logic          s_axil_rvalid_o,
  input  logic          s_axil_rready_i,
  // key table, control client: a write or read happens in a cycle with tbl_gnt_i = 1
  input  logic          tbl_gnt_i,
  output logic [AW-1:0] tbl_waddr_o,
  output logic          tbl_ctx_we_o,
  output logic [868:0]  tbl_ctx_wdata_o,
  output logic          tbl_seq_we_o,
  output logic [79:0]   tbl_seq_wdata_o,
  output logic          tbl_cnt_we_o,
  output logic [127:0]  tbl_cnt_wdata_o,
  output logic          tbl_re_o,
  input  logic [868:0]  tbl_ctx_rdata_i,
  input  logic [79:0]   tbl_seq_rdata_i,
  input  logic [127:0]  tbl_cnt_rdata_i,
  // lanes: flushed while CTRL.reset runs
  output logic          flush_o,
  // total counter increments from the lanes (one frame commit per lane per cycle at most)
  input  logic [LANES-1:0]    cnt_ok_i,
  input  logic [LANES*16-1:0] cnt_bytes_i,
  input  logic [LANES-1:0]    cnt_auth_fail_i,
  input  logic [LANES-1:0]    cnt_error_i
);
  localparam logic [1:0] CmdLoad    = mediasec_regs_pkg::SLOT_CMD_LOAD;
  localparam logic [1:0] CmdZeroize = mediasec_regs_pkg::SLOT_CMD_ZEROIZE;
  localparam logic [1:0] CmdRead    = mediasec_regs_pkg::SLOT_CMD_READ;

  // Self-test expectations: H^1..H^4 for the all-zero key (computed offline with a bitwise GCM
  // multiply; H itself is AES_0(0) as published in the GCM specification's test cases 1 and 13).
  localparam logic [511:0] SelfTest128 = {
    128'hca45ecb9a45ec8a2f256e11f220638b2, 128'ha24af38161917d7c9ae0d027c5fd91ca,
    128'ha569901bb4b18906f5059d24465c904d, 128'h66e94bd4ef8a2c3b884cfa59ca342b2e};
  localparam logic [511:0] SelfTest256 = {
    128'h247d5106e06f097ff93db0222cd16201, 128'heaaf399b7420c7704661dfc959e2b08f,
    128'hc7c27e834f1e393c2a82d138ce9261b7, 128'hdc95c078a2408989ad48a21492842087};

  localparam logic [2:0] StIdle  = 3'd0;
  localparam logic [2:0] StLoad  = 3'd1;  // key_setup running for LOAD
  localparam logic [2:0] StRead  = 3'd2;  // table read in flight for READ
  localparam logic [2:0] StSweep = 3'd3;  // reset / clear_counters over every slot
  localparam logic [2:0] StTest  = 3'd4;  // self-test, key_setup running
  localparam logic [2:0] StWrite = 3'd5;  // LOAD / ZEROIZE table write, waiting for the grant
  localparam logic [2:0] StReq   = 3'd6;  // READ table read, waiting for the grant

  localparam logic [31:0] Caps =
      (32'($clog2(SLOTS)) << mediasec_regs_pkg::CAPS_SLOTS_LOG2_LSB) |
      (32'(LANES) << mediasec_regs_pkg::CAPS_LANES_LSB) |
      (32'h1 << mediasec_regs_pkg::CAPS_AES128_LSB) | (32'h1 << mediasec_regs_pkg::CAPS_AES256_LSB) |
      (32'h1 << mediasec_regs_pkg::CAPS_TLS12_LSB) | (32'h1 << mediasec_regs_pkg::CAPS_TLS13_LSB) |
      (32'h1 << mediasec_regs_pkg::CAPS_DTLS12_LSB) | (32'h1 << mediasec_regs_pkg::CAPS_RAW_LSB);

  // ---------------------------------------------------------------- AXI4-Lite handshakes
  logic        bvalid_q, rvalid_q;
  logic [31:0] rdata_q, rdata_d;
  logic        wr_en, rd_en;
  logic [9:0]  wr_word, rd_word;
  logic [31:0] wmask;

  assign wr_en   = s_axil_awvalid_i && s_axil_wvalid_i && !bvalid_q;
  assign rd_en   = s_axil_arvalid_i && !rvalid_q;
  assign wr_word = s_axil_awaddr_i[11:2];
  assign rd_word = s_axil_araddr_i[11:2];
  assign wmask   = {{8{s_axil_wstrb_i[3]}}, {8{s_axil_wstrb_i[2]}},
                    {8{s_axil_wstrb_i[1]}}, {8{s_axil_wstrb_i[0]}}};

  assign s_axil_awready_o = wr_en;
  assign s_axil_wready_o  = wr_en;
  assign s_axil_bvalid_o  = bvalid_q;
  assign s_axil_bresp_o   = 2'b00;
  assign s_axil_arready_o = rd_en;
  assign s_axil_rvalid_o  = rvalid_q;
  assign s_axil_rdata_o   = rdata_q;
  assign s_axil_rresp_o   = 2'b00;


  // ---------------------------------------------------------------- state
  logic [2:0]   state_q, state_d;
  logic [15:0]  slot_sel_q;
  logic [3:0]   slot_cfg_q;
  logic [63:0]  seq_q;
  logic [15:0]  epoch_q;
  logic [255:0] key_q;
  logic [95:0]  iv_q;
  logic         cmd_error_q, cmd_error_d;
  logic         st_done_q, st_done_d, st_pass_q, st_pass_d;
  logic         st_phase_q, st_phase_d;      // 0: AES-128 key, 1: AES-256 key
  logic         load_q, load_d;              // StWrite: 1 LOAD, 0 ZEROIZE
  logic         sweep_all_q, sweep_all_d;    // 1: reset (zeroize everything), 0: counters only
  logic [AW-1:0] sweep_idx_q, sweep_idx_d;
  logic [4:0]   rd_flags_q;
  logic [63:0]  rd_seq_q;
  logic [15:0]  rd_epoch_q;
  logic [31:0]  rd_records_q, rd_auth_fail_q;
  logic [63:0]  rd_bytes_q;
  logic [63:0]  total_records_q, total_bytes_q;
  logic [31:0]  total_auth_fail_q, total_errors_q;
  logic [7:0]   ev_records_q, ev_auth_fail_q, ev_errors_q;  // events of the previous clock
  logic [23:0]  ev_bytes_q;
  logic [63:0]  cycles_q;
  logic [31:0]  cycles_hi_q;
  logic         clear_totals;

  logic         busy;
  logic         slot_ok;
  logic         cmd_wr, ctrl_wr;
  logic [1:0]   cmd;

  assign busy    = (state_q != StIdle);
  assign slot_ok = (32'(slot_sel_q) < SLOTS);
  assign cmd_wr  = wr_en && (wr_word == mediasec_regs_pkg::REG_SLOT_CMD[11:2]) && s_axil_wstrb_i[0];
  assign ctrl_wr = wr_en && (wr_word == mediasec_regs_pkg::REG_CTRL[11:2]) && s_axil_wstrb_i[0];
  assign cmd     = s_axil_wdata_i[1:0];

  // ---------------------------------------------------------------- key setup
  logic         ks_start, ks_busy, ks_done;
  logic [255:0] ks_key;
  logic         ks_key256;
  logic [511:0] ks_hpow;

  assign ks_key    = (state_d == StTest || state_q == StTest) ? 256'h0 : key_q;
  assign ks_key256 = (state_d == StTest || state_q == StTest) ? st_phase_d
                                                               : slot_cfg_q[mediasec_regs_pkg::SLOT_CFG_KEY256_LSB];

  key_setup u_key_setup (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .start_i (ks_start),
    .key_i   (ks_key),
    .key256_i(ks_key256),
    .busy_o  (ks_busy),
    .done_o  (ks_done),
    .hpow_o  (ks_hpow)
  );

  // ---------------------------------------------------------------- command sequencer
  logic [AW-1:0] slot_idx;
  assign slot_idx = slot_sel_q[AW-1:0];

  always_comb begin
    state_d         = state_q;
    cmd_error_d     = cmd_error_q;
    st_done_d       = st_done_q;
    st_pass_d       = st_pass_q;
    st_phase_d      = st_phase_q;
    load_d          = load_q;
    sweep_all_d     = sweep_all_q;
    sweep_idx_d     = sweep_idx_q;
    ks_start        = 1'b0;
    clear_totals    = 1'b0;
    tbl_waddr_o     = slot_idx;
    tbl_ctx_we_o    = 1'b0;
    tbl_seq_we_o    = 1'b0;
    tbl_cnt_we_o    = 1'b0;
    tbl_ctx_wdata_o = '0;
    tbl_seq_wdata_o = '0;
    tbl_cnt_wdata_o = '0;
    tbl_re_o        = 1'b0;
    unique case (state_q)
      StIdle: begin
        if (ctrl_wr && s_axil_wdata_i[mediasec_regs_pkg::CTRL_RESET_LSB]) begin
          sweep_all_d  = 1'b1;
          sweep_idx_d  = '0;
          clear_totals = 1'b1;
          st_done_d    = 1'b0;
          st_pass_d    = 1'b0;
          cmd_error_d  = 1'b0;
          state_d      = StSweep;
        end else if (ctrl_wr && s_axil_wdata_i[mediasec_regs_pkg::CTRL_CLEAR_COUNTERS_LSB]) begin
          sweep_all_d  = 1'b0;
          sweep_idx_d  = '0;
          clear_totals = 1'b1;
          state_d      = StSweep;
        end else if (ctrl_wr && s_axil_wdata_i[mediasec_regs_pkg::CTRL_SELFTEST_LSB]) begin
          st_done_d  = 1'b0;
          st_pass_d  = 1'b1;
          st_phase_d = 1'b0;
          ks_start   = 1'b1;
          state_d    = StTest;
        end else if (cmd_wr && cmd != mediasec_regs_pkg::SLOT_CMD_NOP) begin
          cmd_error_d = !slot_ok;
          if (slot_ok) begin
            unique case (cmd)
              CmdLoad: begin
                ks_start = 1'b1;
                load_d   = 1'b1;
                state_d  = StLoad;
              end
              CmdZeroize: begin
                load_d  = 1'b0;
                state_d = StWrite;
              end
              CmdRead: begin
                state_d = StReq;
              end
              default: ;
            endcase
          end
        end
      end
      StLoad: begin
        if (ks_done) state_d = StWrite;
      end
      StWrite: begin
        // LOAD writes the staged context; ZEROIZE writes zeros. Counters restart at 0.
        tbl_ctx_we_o = 1'b1;
        tbl_seq_we_o = 1'b1;
        tbl_cnt_we_o = 1'b1;
        if (load_q) begin
          tbl_ctx_wdata_o = {ks_hpow, iv_q, key_q, slot_cfg_q[3], slot_cfg_q[2:1], slot_cfg_q[0], 1'b1};
          tbl_seq_wdata_o = {epoch_q, seq_q};
        end
        if (tbl_gnt_i) state_d = StIdle;
      end
      StReq: begin
        tbl_re_o = 1'b1;
        if (tbl_gnt_i) state_d = StRead;
      end
      StRead: begin
        state_d = StIdle;  // data is latched into RD_* below
      end
      StSweep: begin
        tbl_waddr_o  = sweep_idx_q;
        tbl_cnt_we_o = 1'b1;
        tbl_ctx_we_o = sweep_all_q;
        tbl_seq_we_o = sweep_all_q;
        if (tbl_gnt_i) begin
          sweep_idx_d = sweep_idx_q + 1'b1;
          if (32'(sweep_idx_q) == SLOTS - 1) state_d = StIdle;
        end
      end
      StTest: begin
        if (ks_done) begin
          if (ks_hpow != (st_phase_q ? SelfTest256 : SelfTest128)) st_pass_d = 1'b0;
          if (!st_phase_q) begin
            st_phase_d = 1'b1;
            ks_start   = 1'b1;
          end else begin
            st_done_d = 1'b1;
            state_d   = StIdle;
          end
        end
      end
      default: state_d = StIdle;
    endcase
  end

  // ---------------------------------------------------------------- registers
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      bvalid_q          <= 1'b0;
      rvalid_q          <= 1'b0;
      rdata_q           <= '0;
      state_q           <= StIdle;
      slot_sel_q        <= '0;
      slot_cfg_q        <= '0;
      seq_q             <= '0;
      epoch_q           <= '0;
      key_q             <= '0;
      iv_q              <= '0;
      cmd_error_q       <= 1'b0;
      st_done_q         <= 1'b0;
      st_pass_q         <= 1'b0;
      st_phase_q        <= 1'b0;
      load_q            <= 1'b0;
      sweep_all_q       <= 1'b0;
      sweep_idx_q       <= '0;
      rd_flags_q        <= '0;
      rd_seq_q          <= '0;
      rd_epoch_q        <= '0;
      rd_records_q      <= '0;
      rd_bytes_q        <= '0;
      rd_auth_fail_q    <= '0;
      total_records_q   <= '0;
      total_bytes_q     <= '0;
      total_auth_fail_q <= '0;
      total_errors_q    <= '0;
      ev_records_q      <= '0;
      ev_bytes_q        <= '0;
      ev_auth_fail_q    <= '0;
      ev_errors_q       <= '0;
      cycles_q          <= '0;
      cycles_hi_q       <= '0;
    end else begin
      state_q     <= state_d;
      cmd_error_q <= cmd_error_d;
      st_done_q   <= st_done_d;
      st_pass_q   <= st_pass_d;
      st_phase_q  <= st_phase_d;
      load_q      <= load_d;
      sweep_all_q <= sweep_all_d;
      sweep_idx_q <= sweep_idx_d;
      cycles_q    <= cycles_q + 64'd1;

      // write channel
      if (wr_en) bvalid_q <= 1'b1;
      else if (s_axil_bready_i) bvalid_q <= 1'b0;
      if (wr_en && !busy) begin
        if ((wr_word == mediasec_regs_pkg::REG_SLOT_SEL[11:2]))
          slot_sel_q <= (slot_sel_q & ~wmask[15:0]) | (s_axil_wdata_i[15:0] & wmask[15:0]);
        if ((wr_word == mediasec_regs_pkg::REG_SLOT_CFG[11:2]))
          slot_cfg_q <= (slot_cfg_q & ~wmask[3:0]) | (s_axil_wdata_i[3:0] & wmask[3:0]);
        if ((wr_word == mediasec_regs_pkg::REG_SEQ_LO[11:2]))
          seq_q[31:0] <= (seq_q[31:0] & ~wmask) | (s_axil_wdata_i & wmask);
        if ((wr_word == mediasec_regs_pkg::REG_SEQ_HI[11:2]))
          seq_q[63:32] <= (seq_q[63:32] & ~wmask) | (s_axil_wdata_i & wmask);
        if ((wr_word == mediasec_regs_pkg::REG_EPOCH[11:2]))
          epoch_q <= (epoch_q & ~wmask[15:0]) | (s_axil_wdata_i[15:0] & wmask[15:0]);
        // KEY0 holds key bytes 0..3 = key[255:224]; IV0 holds IV bytes 0..3 = iv[95:64].
        for (int i = 0; i < 8; i++) begin
          if (wr_word == mediasec_regs_pkg::REG_KEY0[11:2] + 10'(i))
            key_q[(7 - i) * 32 +: 32] <= (key_q[(7 - i) * 32 +: 32] & ~wmask) | (s_axil_wdata_i & wmask);
        end
        for (int i = 0; i < 3; i++) begin
          if (wr_word == mediasec_regs_pkg::REG_IV0[11:2] + 10'(i))
            iv_q[(2 - i) * 32 +: 32] <= (iv_q[(2 - i) * 32 +: 32] & ~wmask) | (s_axil_wdata_i & wmask);
        end
      end

      // READ: table data arrives the cycle after the request.
      if (state_q == StRead) begin
        rd_flags_q     <= tbl_ctx_rdata_i[4:0];
        rd_seq_q       <= tbl_seq_rdata_i[63:0];
        rd_epoch_q     <= tbl_seq_rdata_i[79:64];
        rd_records_q   <= tbl_cnt_rdata_i[31:0];
        rd_bytes_q     <= tbl_cnt_rdata_i[95:32];
        rd_auth_fail_q <= tbl_cnt_rdata_i[127:96];
      end

      // totals
      if (clear_totals) begin
        total_records_q   <= '0;
        total_bytes_q     <= '0;
        total_auth_fail_q <= '0;
        total_errors_q    <= '0;
        ev_records_q      <= '0;
        ev_bytes_q        <= '0;
        ev_auth_fail_q    <= '0;
        ev_errors_q       <= '0;
      end else begin
        // The lanes' events of one clock are summed into narrow registers first and added to
        // the totals the next clock, so no path runs from a lane's commit logic into a
        // 64-bit adder.
        ev_records_q      <= count_ones(cnt_ok_i);
        ev_bytes_q        <= bytes_sum(cnt_ok_i, cnt_bytes_i);
        ev_auth_fail_q    <= count_ones(cnt_auth_fail_i);
        ev_errors_q       <= count_ones(cnt_error_i);
        total_records_q   <= total_records_q + 64'(ev_records_q);
        total_bytes_q     <= total_bytes_q + 64'(ev_bytes_q);
        total_auth_fail_q <= total_auth_fail_q + 32'(ev_auth_fail_q);
        total_errors_q    <= total_errors_q + 32'(ev_errors_q);
      end

      // read channel
      if (rd_en) begin
        rvalid_q <= 1'b1;
        rdata_q  <= rdata_d;
        if ((rd_word == mediasec_regs_pkg::REG_CYCLES_LO[11:2])) cycles_hi_q <= cycles_q[63:32];
      end else if (s_axil_rready_i) begin
        rvalid_q <= 1'b0;
      end
    end
  end

  function automatic logic [7:0] count_ones(input logic [LANES-1:0] v);
    count_ones = '0;
    for (int l = 0; l < LANES; l++) count_ones = count_ones + 8'(v[l]);
  endfunction

  function automatic logic [23:0] bytes_sum(input logic [LANES-1:0] ok, input logic [LANES*16-1:0] b);
    bytes_sum = '0;
    for (int l = 0; l < LANES; l++) if (ok[l]) bytes_sum = bytes_sum + 24'(b[l*16 +: 16]);
  endfunction

  // ---------------------------------------------------------------- read mux
  always_comb begin
    rdata_d = '0;
    unique case (rd_word)
      mediasec_regs_pkg::REG_ID[11:2]:               rdata_d = mediasec_regs_pkg::ID_MAGIC;
      mediasec_regs_pkg::REG_VERSION[11:2]:          rdata_d = mediasec_regs_pkg::REGMAP_VERSION;
      mediasec_regs_pkg::REG_BUILD[11:2]:            rdata_d = BUILD_ID;
      mediasec_regs_pkg::REG_CAPS[11:2]:             rdata_d = Caps;
      mediasec_regs_pkg::REG_STATUS[11:2]:           rdata_d = {28'h0, st_pass_q, st_done_q, cmd_error_q, busy};
      mediasec_regs_pkg::REG_SLOT_SEL[11:2]:         rdata_d = {16'h0, slot_sel_q};
      mediasec_regs_pkg::REG_SLOT_CFG[11:2]:         rdata_d = {28'h0, slot_cfg_q};
      mediasec_regs_pkg::REG_SEQ_LO[11:2]:           rdata_d = seq_q[31:0];
      mediasec_regs_pkg::REG_SEQ_HI[11:2]:           rdata_d = seq_q[63:32];
      mediasec_regs_pkg::REG_EPOCH[11:2]:            rdata_d = {16'h0, epoch_q};
      mediasec_regs_pkg::REG_RD_FLAGS[11:2]:         rdata_d = {27'h0, rd_flags_q};
      mediasec_regs_pkg::REG_RD_SEQ_LO[11:2]:        rdata_d = rd_seq_q[31:0];
      mediasec_regs_pkg::REG_RD_SEQ_HI[11:2]:        rdata_d = rd_seq_q[63:32];
      mediasec_regs_pkg::REG_RD_EPOCH[11:2]:         rdata_d = {16'h0, rd_epoch_q};
      mediasec_regs_pkg::REG_RD_RECORDS[11:2]:       rdata_d = rd_records_q;
      mediasec_regs_pkg::REG_RD_BYTES_LO[11:2]:      rdata_d = rd_bytes_q[31:0];
      mediasec_regs_pkg::REG_RD_BYTES_HI[11:2]:      rdata_d = rd_bytes_q[63:32];
      mediasec_regs_pkg::REG_RD_AUTH_FAIL[11:2]:     rdata_d = rd_auth_fail_q;
      mediasec_regs_pkg::REG_TOTAL_RECORDS_LO[11:2]: rdata_d = total_records_q[31:0];
      mediasec_regs_pkg::REG_TOTAL_RECORDS_HI[11:2]: rdata_d = total_records_q[63:32];
      mediasec_regs_pkg::REG_TOTAL_BYTES_LO[11:2]:   rdata_d = total_bytes_q[31:0];
      mediasec_regs_pkg::REG_TOTAL_BYTES_HI[11:2]:   rdata_d = total_bytes_q[63:32];
      mediasec_regs_pkg::REG_TOTAL_AUTH_FAIL[11:2]:  rdata_d = total_auth_fail_q;
      mediasec_regs_pkg::REG_TOTAL_ERRORS[11:2]:     rdata_d = total_errors_q;
      mediasec_regs_pkg::REG_CYCLES_LO[11:2]:        rdata_d = cycles_q[31:0];
      mediasec_regs_pkg::REG_CYCLES_HI[11:2]:        rdata_d = cycles_hi_q;
      default:                                       rdata_d = '0;
    endcase
  end

  assign flush_o = (state_q == StSweep) && sweep_all_q;

  // Byte-lane address bits, key material and H powers are not read back through registers.
  logic unused;
  assign unused = ^{s_axil_awaddr_i[1:0], s_axil_araddr_i[1:0], tbl_ctx_rdata_i[868:5], ks_busy};
endmodule
