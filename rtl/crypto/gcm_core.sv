// AES-GCM (96-bit nonces) over a stream of 128-bit blocks, one block per clock sustained
// across back-to-back records. Ports as in docs/record-engine.md "gcm_core".
//
// Per record the sequencer pushes through aes_pipeline, in order:
//   AAD blocks  (from in_*; AES result unused)
//   data blocks (from in_*; AES input = nonce || ctr, ctr = 2, 3, ...)
//   LEN         (generated len(A) || len(C) in bits; AES input = J0 = nonce || 1 → tag mask)
//   TAG         (decrypt only: the received tag, from in_*)
// so a record costs one extra cycle (LEN) beyond its input blocks. Behind the AES pipeline:
// data out = (data ^ keystream) with bytes past the length zeroed; GHASH (ghash) over the
// zero-padded AAD, ciphertext and LEN blocks; tag = GHASH ^ E_K(J0).
//
// Flow control: aes_pipeline advances when en = 1. en drops only when the block at the AES
// output cannot be stored (out FIFO full for a data block, result FIFO full for a LEN block).
// Inputs are accepted only when en = 1. ghash never stalls; it has room by construction (a
// GHASH result belongs to a record whose LEN entry already holds a result-FIFO slot).
// A record's result is released only after its last out block has been taken (credit count).
module gcm_core (
  input  logic         clk_i,
  input  logic         rst_ni,
  // record descriptors
  input  logic         job_valid_i,
  output logic         job_ready_o,
  input  logic [255:0] job_key_i,
  input  logic         job_key256_i,
  input  logic [511:0] job_hpow_i,
  input  logic [95:0]  job_nonce_i,
  input  logic         job_decrypt_i,
  input  logic [15:0]  job_aad_len_i,
  input  logic [14:0]  job_data_len_i,
  // input blocks
  input  logic         in_valid_i,
  output logic         in_ready_o,
  input  logic [127:0] in_block_i,
  // output data blocks
  output logic         out_valid_o,
  input  logic         out_ready_i,
  output logic [127:0] out_block_o,
  output logic         out_last_o,
  // per-record results
  output logic         res_valid_o,
  input  logic         res_ready_i,
  output logic [127:0] res_tag_o,
  output logic         res_tag_ok_o
);
  localparam int unsigned CountW   = 13;  // GHASH blocks per record <= 4096 + 1040 + 1
  localparam int unsigned JobW     = 256 + 1 + 512 + 96 + 1 + 16 + 15;
  localparam int unsigned JobDepth = 2;
  localparam int unsigned InfoW    = 512 + CountW;
  localparam int unsigned InfoDepth = 16;  // > records that can be inside aes_pipeline (15)
  localparam int unsigned ResDepth = 8;
  localparam int unsigned OutDepth = 4;

  localparam logic [1:0] KindAad  = 2'd0;
  localparam logic [1:0] KindData = 2'd1;
  localparam logic [1:0] KindLen  = 2'd2;
  localparam logic [1:0] KindTag  = 2'd3;

  // Sideband through aes_pipeline: {first, decrypt, flag, nbytes[4:0], kind[1:0], block[127:0]}.
  // flag: last data block (DATA) or record has data (LEN).
  localparam int unsigned UserW = 1 + 1 + 1 + 5 + 2 + 128;

  logic en;

  // ---------------------------------------------------------------- job FIFO
  logic             job_full, job_empty, job_pop;
  logic [JobW-1:0]  job_head;

  crypto_fifo #(.WIDTH(JobW), .DEPTH(JobDepth)) u_job_fifo (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .push_i (job_valid_i),
    .data_i ({job_key_i, job_key256_i, job_hpow_i, job_nonce_i, job_decrypt_i, job_aad_len_i,
              job_data_len_i}),
    .full_o (job_full),
    .pop_i  (job_pop),
    .data_o (job_head),
    .empty_o(job_empty)
  );
  assign job_ready_o = !job_full;

  logic [255:0] h_key;
  logic         h_key256;
  logic [511:0] h_hpow;
  logic [95:0]  h_nonce;
  logic         h_decrypt;
  logic [15:0]  h_aad_len;
  logic [14:0]  h_data_len;
  assign {h_key, h_key256, h_hpow, h_nonce, h_decrypt, h_aad_len, h_data_len} = job_head;

  // ---------------------------------------------------------------- sequencer
  logic              fresh_q;  // head record not started yet
  logic [1:0]        phase_q;
  logic [CountW-1:0] cnt_q;    // blocks left in this phase, including the current one
  logic [31:0]       ctr_q;

  logic [CountW-1:0] aad_blocks, data_blocks;
  assign aad_blocks  = CountW'((17'(h_aad_len) + 17'd15) >> 4);
  assign data_blocks = CountW'((16'(h_data_len) + 16'd15) >> 4);

  logic [1:0]        phase;
  logic [CountW-1:0] cnt;
  logic [31:0]       ctr;
  always_comb begin
    if (fresh_q) begin
      if (aad_blocks != '0) begin
        phase = KindAad;
        cnt   = aad_blocks;
      end else if (data_blocks != '0) begin
        phase = KindData;
        cnt   = data_blocks;
      end else begin
        phase = KindLen;
        cnt   = '0;
      end
      ctr = 32'd2;
    end else begin
      phase = phase_q;
      cnt   = cnt_q;
      ctr   = ctr_q;
    end
  end

  logic info_full, info_empty;
  logic needs_input, can_issue, issue;
  assign needs_input = (phase != KindLen);
  assign can_issue   = en && !job_empty && !(fresh_q && info_full);
  assign in_ready_o  = can_issue && needs_input;
  assign issue       = can_issue && (!needs_input || in_valid_i);

  logic last_in_phase;
  logic rec_done;
  assign last_in_phase = (cnt == CountW'(1));
  assign rec_done      = (phase == KindTag) || (phase == KindLen && !h_decrypt);
  assign job_pop       = issue && rec_done;

  // Bytes valid in the current AAD / data block.
  logic [4:0] nbytes;
  always_comb begin
    nbytes = 5'd16;
    if (phase == KindAad && last_in_phase && h_aad_len[3:0] != 4'd0) nbytes = {1'b0, h_aad_len[3:0]};
    if (phase == KindData && last_in_phase && h_data_len[3:0] != 4'd0) nbytes = {1'b0, h_data_len[3:0]};
  end

  logic [127:0] len_block;
  assign len_block = {45'h0, h_aad_len, 3'b000, 46'h0, h_data_len, 3'b000};

  logic [127:0] aes_in;
  logic [127:0] blk;
  logic         flag;
  assign aes_in = (phase == KindData) ? {h_nonce, ctr} : {h_nonce, 32'd1};
  assign blk    = (phase == KindLen) ? len_block : in_block_i;
  assign flag   = (phase == KindData) ? last_in_phase : (h_data_len != '0);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      fresh_q <= 1'b1;
      phase_q <= KindAad;
      cnt_q   <= '0;
      ctr_q   <= '0;
    end else if (issue) begin
      fresh_q <= rec_done;
      ctr_q   <= ctr;
      cnt_q   <= cnt - 1'b1;
      phase_q <= phase;
      unique case (phase)
        KindAad: begin
          if (last_in_phase) begin
            phase_q <= (data_blocks != '0) ? KindData : KindLen;
            cnt_q   <= data_blocks;
          end
        end
        KindData: begin
          ctr_q <= ctr + 32'd1;
          if (last_in_phase) phase_q <= KindLen;
        end
        KindLen: phase_q <= KindTag;
        default: ;
      endcase
    end
  end

  // Per-record GHASH parameters, from the record's first entry to its first GHASH block.
  logic              info_pop;
  logic [InfoW-1:0]  info_head;
  crypto_fifo #(.WIDTH(InfoW), .DEPTH(InfoDepth)) u_info_fifo (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .push_i (issue && fresh_q),
    .data_i ({h_hpow, aad_blocks + data_blocks + CountW'(1)}),
    .full_o (info_full),
    .pop_i  (info_pop),
    .data_o (info_head),
    .empty_o(info_empty)
  );

  // ---------------------------------------------------------------- AES
  logic             a_valid;
  logic [127:0]     a_ks;
  logic [UserW-1:0] a_user;

  aes_pipeline #(.USER_W(UserW)) u_aes (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .en_i       (en),
    .in_valid_i (issue),
    .in_block_i (aes_in),
    .in_key_i   (h_key),
    .in_key256_i(h_key256),
    .in_user_i  ({fresh_q, h_decrypt, flag, nbytes, phase, blk}),
    .out_valid_o(a_valid),
    .out_block_o(a_ks),
    .out_user_o (a_user)
  );

  logic         a_first, a_decrypt, a_flag;
  logic [4:0]   a_nbytes;
  logic [1:0]   a_kind;
  logic [127:0] a_blk;
  assign {a_first, a_decrypt, a_flag, a_nbytes, a_kind, a_blk} = a_user;

  logic [127:0] mask;
  always_comb begin
    for (int i = 0; i < 16; i++) mask[127 - 8*i -: 8] = (5'(i) < a_nbytes) ? 8'hff : 8'h00;
  end

  logic [127:0] blk_m, xor_m, ct;  // ct: the GHASH input
  assign blk_m = a_blk & mask;
  assign xor_m = blk_m ^ (a_ks & mask);
  // GHASH input: the ciphertext for data blocks; AAD and LEN blocks as they are (LEN: nbytes 16).
  assign ct    = (a_kind == KindData && !a_decrypt) ? xor_m : blk_m;

  // ---------------------------------------------------------------- post-AES storage
  logic out_full, out_empty, rec_full, rec_empty, rtag_full, rtag_empty, gres_full, gres_empty;
  logic take;
  assign en = !(a_valid && ((a_kind == KindData && out_full) || (a_kind == KindLen && rec_full) ||
                            (a_kind == KindTag && rtag_full)));
  assign take = en && a_valid;

  logic [128:0] out_head;
  crypto_fifo #(.WIDTH(129), .DEPTH(OutDepth)) u_out_fifo (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .push_i (take && a_kind == KindData),
    .data_i ({a_flag, xor_m}),
    .full_o (out_full),
    .pop_i  (out_ready_i),
    .data_o (out_head),
    .empty_o(out_empty)
  );
  assign out_valid_o = !out_empty;
  assign {out_last_o, out_block_o} = out_head;

  logic         res_pop;
  logic [129:0] rec_head;  // {decrypt, has_data, E_K(J0)}
  crypto_fifo #(.WIDTH(130), .DEPTH(ResDepth)) u_rec_fifo (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .push_i (take && a_kind == KindLen),
    .data_i ({a_decrypt, a_flag, a_ks}),
    .full_o (rec_full),
    .pop_i  (res_pop),
    .data_o (rec_head),
    .empty_o(rec_empty)
  );

  logic [127:0] rtag_head;
  crypto_fifo #(.WIDTH(128), .DEPTH(ResDepth)) u_rtag_fifo (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .push_i (take && a_kind == KindTag),
    .data_i (a_blk),
    .full_o (rtag_full),
    .pop_i  (res_pop && rec_head[129]),
    .data_o (rtag_head),
    .empty_o(rtag_empty)
  );

  // ---------------------------------------------------------------- GHASH
  logic         g_valid;
  logic [127:0] g_out;
  assign info_pop = take && a_first;

  ghash u_ghash (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .in_valid_i  (take && a_kind != KindTag),
    .in_start_i  (a_first),
    .in_nblocks_i(info_head[CountW-1:0]),
    .in_hpow_i   (info_head[CountW +: 512]),
    .in_block_i  (ct),
    .out_valid_o (g_valid),
    .out_ghash_o (g_out)
  );

  logic [127:0] gres_head;
  crypto_fifo #(.WIDTH(128), .DEPTH(ResDepth)) u_gres_fifo (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .push_i (g_valid),
    .data_i (g_out),
    .full_o (gres_full),
    .pop_i  (res_pop),
    .data_o (gres_head),
    .empty_o(gres_empty)
  );

  // ---------------------------------------------------------------- results
  // credit = records whose last out block has been taken but whose result has not.
  logic [4:0] credit_q;
  logic       rec_decrypt, rec_has_data;
  logic [127:0] rec_ekj0;
  assign {rec_decrypt, rec_has_data, rec_ekj0} = rec_head;

  assign res_valid_o  = !rec_empty && !gres_empty && (!rec_decrypt || !rtag_empty) &&
                        (!rec_has_data || credit_q != '0);
  assign res_tag_o    = gres_head ^ rec_ekj0;
  assign res_tag_ok_o = !rec_decrypt || (res_tag_o == rtag_head);
  assign res_pop      = res_valid_o && res_ready_i;

  logic credit_inc, credit_dec;
  assign credit_inc = out_valid_o && out_ready_i && out_last_o;
  assign credit_dec = res_pop && rec_has_data;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      credit_q <= '0;
    end else if (credit_inc && !credit_dec) begin
      credit_q <= credit_q + 1'b1;
    end else if (credit_dec && !credit_inc) begin
      credit_q <= credit_q - 1'b1;
    end
  end

  // Status bits that are full/empty by construction (see the header).
  logic unused_status;
  assign unused_status = ^{gres_full, info_empty};
endmodule
